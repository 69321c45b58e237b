"""Run a command where creating namespaces is refused, as in Docker's default seccomp profile (and so
in Gradescope's containers): ``python deny_namespaces.py COMMAND ARGS...``.

A seccomp filter makes ``unshare`` fail with EPERM for the command and everything it starts.
"""

import ctypes
import errno
import os
import platform
import struct
import sys

UNSHARE = {"x86_64": 272, "aarch64": 97}
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
LOAD_NR, JUMP_IF_EQUAL, RETURN = 0x20, 0x15, 0x06
ALLOW, FAIL_WITH = 0x7FFF0000, 0x00050000


def deny_unshare():
    program = [
        (LOAD_NR, 0, 0, 0),  # the system call's number (offset 0 of seccomp_data)
        (JUMP_IF_EQUAL, 0, 1, UNSHARE[platform.machine()]),
        (RETURN, 0, 0, FAIL_WITH | errno.EPERM),
        (RETURN, 0, 0, ALLOW),
    ]
    filters = b"".join(struct.pack("HBBI", *instruction) for instruction in program)
    buffer = ctypes.create_string_buffer(filters)
    fprog = struct.pack("HxxxxxxP", len(program), ctypes.addressof(buffer))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.create_string_buffer(fprog), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "seccomp filter refused")


if __name__ == "__main__":
    deny_unshare()
    os.execvp(sys.argv[1], sys.argv[1:])
