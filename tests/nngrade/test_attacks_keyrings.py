"""Kernel keyrings are not namespaced: a channel between students and a way to the grader's keys
(issue 16, case 2). The sandbox joins a fresh session keyring and denies every keyring call."""

import ctypes
import json
import subprocess
import sys
import textwrap

from nngrade.sandbox import Limits, Sandbox

SHORT = Limits(cell_seconds=20, call_seconds=20)
ADD_KEY, REQUEST_KEY, KEYCTL = 248, 249, 250  # x86_64
KEYCTL_READ, KEYCTL_INVALIDATE = 11, 21

STORE = """
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
payload = b"answers from the previous student: 42"
def store():
    key = libc.syscall(248, b"user", b"nngrade-covert-test", payload, len(payload), -4)  # user keyring
    return [int(key), ctypes.get_errno()]
"""

READ = """
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
def read(description):
    key = libc.syscall(249, b"user", description.encode(), None, 0)  # request_key searches our keyrings
    if key < 0:
        return [int(key), ctypes.get_errno(), ""]
    buffer = ctypes.create_string_buffer(256)
    size = libc.syscall(250, 11, key, buffer, 256)  # KEYCTL_READ
    return [int(key), ctypes.get_errno(), buffer.raw[:max(size, 0)].decode(errors="replace")]
"""


def _invalidate(description):
    libc = ctypes.CDLL(None, use_errno=True)
    for keyring in (-4, -3):  # user, session
        key = libc.syscall(KEYCTL, 10, keyring, b"user", description.encode(), 0)  # KEYCTL_SEARCH
        if key > 0:
            libc.syscall(KEYCTL, KEYCTL_INVALIDATE, key)


def test_what_one_student_stores_in_a_keyring_the_next_cannot_read():
    try:
        with Sandbox(limits=SHORT, assignment="toy") as first:
            assert first.run_cell(STORE) is None
            key, error = first.call("store", [], {})
        with Sandbox(limits=SHORT, assignment="toy") as second:
            assert second.run_cell(READ) is None
            found, read_error, text = second.call("read", ["nngrade-covert-test"], {})
        assert key == -1 and error == 1  # EPERM: the call itself is denied
        assert found == -1 and read_error == 1 and text == ""
    finally:
        _invalidate("nngrade-covert-test")


def test_a_secret_in_the_grader_s_session_keyring_is_out_of_the_learner_s_reach(tmp_path):
    """The grading account's session keyring (Kerberos tickets, tokens) is readable by a plain child
    process of the grader (so the test can fail), and not from the sandbox."""
    script = textwrap.dedent(f"""
        import ctypes, json, sys
        sys.path[:0] = {sys.path!r}
        from nngrade.sandbox import Limits, Sandbox
        libc = ctypes.CDLL(None, use_errno=True)
        assert libc.syscall({KEYCTL}, 1, None) > 0  # a session keyring of this test's own
        secret = b"ticket of the grading account"
        assert libc.syscall({ADD_KEY}, b"user", b"nngrade-grader-secret", secret, len(secret), -3) > 0
        namespace = {{}}
        exec({READ!r}, namespace)
        outside = namespace["read"]("nngrade-grader-secret")
        with Sandbox(limits=Limits(cell_seconds=20, call_seconds=20), assignment="toy") as box:
            assert box.run_cell({READ!r}) is None
            inside = box.call("read", ["nngrade-grader-secret"], {{}})
            status = box.run_cell("import ctypes; assert ctypes.CDLL(None).prctl(21, 0, 0, 0, 0) == 2")
        print(json.dumps([outside, inside, status]))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    outside, inside, status = json.loads(done.stdout.strip().splitlines()[-1])
    assert outside[2] == "ticket of the grading account"
    assert inside == [-1, 1, ""]
    assert status is None  # PR_GET_SECCOMP: a filter in force in the learner's process


def test_the_filter_denies_keyring_calls_and_allows_the_rest():
    from nngrade import _worker

    program = _worker.seccomp_program("x86_64")
    deny, allow = 0x00050001, 0x7FFF0000

    def run(arch, number):  # a tiny interpreter of the three instructions the filter uses
        data = {0: number, 4: arch}
        position, accumulator = 0, 0
        while True:
            code, jt, jf, k = program[position]
            if code == 0x20:
                accumulator = data[k]
                position += 1
            elif code == 0x06:
                return k
            else:
                taken = accumulator == k if code == 0x15 else accumulator >= k
                position += 1 + (jt if taken else jf)

    native = 0xC000003E
    assert [run(native, n) for n in (ADD_KEY, REQUEST_KEY, KEYCTL)] == [deny] * 3
    assert [run(native, n) for n in (0, 1, 59, 247, 251, 435)] == [allow] * 6
    assert run(native, 0x40000000 + 1) == deny  # x32 numbering
    assert run(0x40000003, 286) == deny  # i386 calls on x86_64

