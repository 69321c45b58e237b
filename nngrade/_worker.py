"""The sandbox worker: runs ONE learner's notebook cells and answers calls with plain data.

Forked by the fork server (``python -s -P _worker.py --fork-server FD``, see
:mod:`nngrade.forkserver`) with the submission's config and two pipe file descriptors: see
:func:`main`. Before any learner code runs it joins the submission's control groups (memory and
process count for everything it will start) and confines itself (see :func:`confine`): private
mount, network, IPC and process namespaces; a root that holds only the system, Python and
NumPy/nnlib (with the pieces the assignment asks the learner to write replaced by stubs) and a
size-limited scratch folder on its own tmpfs with the released files; then it drops to an
unprivileged user and sets CPU, memory, file-size and process limits.

The learner's code runs in this process, so it can write on the pipes too: nothing it says is
trusted beyond plain data. The grader checks that each reply answers its request (a nonce echoed
back), caps reply sizes, and takes every verdict about how the process ended from what it observed
itself (exit status, control-group events), never from this process's words.
"""

import builtins
import ctypes
import json
import os
import resource
import shutil
import signal
import socket
import sys
import traceback
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import wire  # noqa: E402  (a plain file next to this one; see wire.py)

sys.path.remove(HERE)

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 1, 2, 4, 32, 4096, 16384, 1 << 18
PR_SET_NO_NEW_PRIVS = 38
PR_SET_PDEATHSIG = 1
PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 22, 2
KEYCTL_JOIN_SESSION_KEYRING = 1
NOBODY = 65534
LEARNER_HOME = "/home/learner"

# The kernel's keyrings are not namespaced by anything this sandbox unshares: uid nobody's user
# keyring is the same in every sandbox (and outlives it), and the grader's session keyring would be
# inherited. Per machine architecture: (audit arch, add_key, request_key, keyctl, first x32 number).
KEYRING_SYSCALLS = {
    "x86_64": (0xC000003E, 248, 249, 250, 0x40000000),
    "aarch64": (0xC00000B7, 217, 218, 219, None),
}


def _mount(libc, source, target, fstype, flags, data=None):
    result = libc.mount(
        source.encode() if source else None,
        target.encode(),
        fstype.encode() if fstype else None,
        flags,
        data.encode() if data else None,
    )
    if result != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"mount {source} -> {target}: {os.strerror(code)}")


def _bind(libc, root, path, writable=False, target=None):
    """Make host ``path`` visible at ``target`` (default: the same path) inside ``root``."""
    target = target or path
    inside = root + target
    if os.path.islink(path) and not writable:
        os.makedirs(os.path.dirname(inside), exist_ok=True)
        if not os.path.lexists(inside):
            os.symlink(os.readlink(path), inside)
        return
    if os.path.isdir(path):
        os.makedirs(inside, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(inside), exist_ok=True)
        open(inside, "a").close()
    _mount(libc, path, inside, None, MS_BIND | MS_REC)
    if not writable:
        try:
            _mount(libc, None, inside, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID)
        except OSError:
            _mount(libc, None, inside, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


def join_cgroups(config):
    """Move this process (and so all it starts) into the submission's control groups."""
    joined = []
    for path in config.get("cgroups", []):
        try:
            with open(os.path.join(path, "cgroup.procs"), "w") as handle:
                handle.write("0")  # 0: the writing process, whatever PID namespace it is in
            joined.append(path)
        except OSError:
            pass
    return joined


def _supervise(libc, child):
    """The process outside the learner's PID namespace: its end is the namespace's end.

    PID 1 of a namespace takes every process of the namespace with it when it dies, whatever they
    did to escape (``setsid``, clearing their parent-death signal, threads). So when the grader
    stops us (SIGTERM, or our parent dying), we kill PID 1.
    """

    def end(signum, frame):
        try:
            os.kill(child, signal.SIGKILL)
        except ProcessLookupError:
            pass

    signal.signal(signal.SIGTERM, end)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() == 1:  # the grader is already gone
        end(None, None)
    _, status = os.waitpid(child, 0)
    if os.WIFSIGNALED(status):
        death = os.WTERMSIG(status)
        if death not in (signal.SIGKILL, signal.SIGSTOP):  # the two whose handler cannot be set
            signal.signal(death, signal.SIG_DFL)
        os.kill(os.getpid(), death)
    os._exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 1)


def _copy_into(source, target, owner):
    """Copy the released files into the scratch tmpfs (the host's copy never sees learner writes)."""
    for name in os.listdir(source):
        here, there = os.path.join(source, name), os.path.join(target, name)
        if os.path.isdir(here) and not os.path.islink(here):
            os.mkdir(there)
            _copy_into(here, there, owner)
        else:
            shutil.copy2(here, there, follow_symlinks=False)
        if owner is not None:
            os.lchown(there, owner, owner)


def _hide(libc, root, config):
    """Put the stubs of the hidden nnlib modules over the real files wherever nnlib is visible."""
    overlays = config.get("overlays") or {}
    if not overlays:
        return
    places = ["/opt/nngrade/lib/nnlib"] + [p for p in config.get("nnlib_copies", [])]
    for place in places:
        inside = root + place
        if not os.path.isdir(inside):
            continue
        for relative, stub in overlays.items():
            target = os.path.join(inside, relative)
            if os.path.isfile(target):
                _cover(libc, stub, target)
            # Its compiled copies (one per optimisation level) read as empty: Python finds no valid
            # bytecode and compiles the stub. The other modules of the folder keep theirs.
            folder, name = os.path.split(target)
            cache = os.path.join(folder, "__pycache__")
            stem = os.path.splitext(name)[0] + "."
            if os.path.isdir(cache):
                for compiled in sorted(os.listdir(cache)):
                    if compiled.startswith(stem):
                        _cover(libc, config["empty"], os.path.join(cache, compiled))


def _cover(libc, source, target):
    """Show the host file ``source`` at ``target`` (inside the sandbox's root), read-only."""
    _mount(libc, source, target, None, MS_BIND)
    _mount(libc, None, target, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID)


def confine(config):
    """Hide the host's files, cut the network, drop privileges. Returns a description of what held.

    Fails closed: if any step fails, the level is "failed" and :func:`main` runs no learner code.
    """
    if not config.get("isolate", True):
        return {"level": "none", "detail": "isolation switched off"}
    libc = ctypes.CDLL(None, use_errno=True)
    as_root = os.geteuid() == 0 and not config.get("user_namespace")
    try:
        flags = os.CLONE_NEWNS | os.CLONE_NEWNET | os.CLONE_NEWPID | os.CLONE_NEWIPC
        if not as_root:
            flags |= os.CLONE_NEWUSER
        uid, gid = os.getuid(), os.getgid()
        try:
            os.unshare(flags)
        except OSError as error:
            if config.get("isolate") == "user" and os.geteuid() == 0:
                return confine_user_only(config, error)
            raise
        if not as_root:
            with open("/proc/self/setgroups", "w") as handle:
                handle.write("deny")
            with open("/proc/self/uid_map", "w") as handle:
                handle.write(f"0 {uid} 1")
            with open("/proc/self/gid_map", "w") as handle:
                handle.write(f"0 {gid} 1")
        # The new PID namespace holds our next child: it becomes process 1 there and sees no other
        # process of the machine. This process only waits for it and passes on how it ended.
        child = os.fork()
        if child:
            try:
                _supervise(libc, child)
            finally:  # whatever happens, the supervisor never goes on to run learner code
                os._exit(1)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        _mount(libc, None, "/", None, MS_REC | MS_PRIVATE)
        root = config["rootdir"]  # an empty folder made (and removed) by the grader
        _mount(libc, "tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=16m,mode=755")
        # /tmp first: the venv, nnlib or the course may live under the host's /tmp, and their binds
        # below must land on top of this tmpfs, not under it.
        os.makedirs(root + "/tmp", exist_ok=True)
        _mount(libc, "tmpfs", root + "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "size=256m,mode=1777")
        for path in ("/usr", "/bin", "/lib", "/lib32", "/lib64", "/sbin", "/etc"):
            if os.path.lexists(path):
                _bind(libc, root, path)
        for path in config["python_paths"]:
            if os.path.exists(path):
                _bind(libc, root, path)
        for name, path in config.get("packages", {}).items():
            _bind(libc, root, path, target=f"/opt/nngrade/lib/{name}")
        _hide(libc, root, config)
        for device in ("null", "zero", "random", "urandom"):
            _bind(libc, root, f"/dev/{device}", writable=True)
        # The learner's folder: its own tmpfs, so what the learner writes is size-limited and never
        # reaches the host's disk.
        home = root + LEARNER_HOME
        os.makedirs(home, exist_ok=True)
        owner = f",uid={NOBODY},gid={NOBODY}" if as_root else ""
        _mount(libc, "tmpfs", home, "tmpfs", MS_NOSUID | MS_NODEV,
               f"size={int(config['scratch_bytes'])},mode=700{owner}")
        _copy_into(config["workdir"], home, NOBODY if as_root else None)
        os.chroot(root)
        os.chdir(LEARNER_HOME)
        detail = ["mount namespace with only system, Python and nnlib files", "own process namespace",
                  "own IPC namespace", "no network",
                  f"scratch folder limited to {int(config['scratch_bytes']) >> 20} MB"]
        if as_root:
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            detail.append("unprivileged user")
        else:
            # Inside a user namespace we cannot switch users; drop every capability instead.
            header = (ctypes.c_uint32 * 2)(0x20080522, 0)
            data = (ctypes.c_uint32 * 6)()
            if libc.capset(header, data) != 0:
                raise OSError(ctypes.get_errno(), "capset")
            detail.append("no capabilities")
        if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "no_new_privs")
        deny_keyrings(libc)
        detail.append("own empty session keyring, keyring calls denied")
        return {"level": "full", "detail": ", ".join(detail)}
    except (OSError, AttributeError, KeyError) as error:
        return {"level": "failed", "detail": f"the sandbox could not be built ({error})"}


def _syscall(libc, name, *args):
    number = KEYRING_SYSCALLS[os.uname().machine][("add_key", "request_key", "keyctl").index(name) + 1]
    result = libc.syscall(number, *args)
    if result < 0:
        code = ctypes.get_errno()
        raise OSError(code, f"{name}: {os.strerror(code)}")
    return result


def seccomp_program(machine):
    """A classic-BPF seccomp filter: keyring calls (and every other architecture's calls) fail with
    EPERM; everything else is allowed. Returns the list of (code, jt, jf, k) instructions."""
    arch, add_key, request_key, keyctl, x32 = KEYRING_SYSCALLS[machine]
    load_word, jump_eq, jump_ge, ret = 0x20, 0x15, 0x35, 0x06
    allow, deny = 0x7FFF0000, 0x00050000 | 1  # SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO | EPERM
    checks = [(jump_ge, x32)] if x32 else []
    checks += [(jump_eq, add_key), (jump_eq, request_key), (jump_eq, keyctl)]
    program = [(load_word, 0, 0, 4), (jump_eq, 1, 0, arch), (ret, 0, 0, deny), (load_word, 0, 0, 0)]
    for position, (jump, number) in enumerate(checks):
        program.append((jump, len(checks) - position, 0, number))  # to the final "deny"
    return program + [(ret, 0, 0, allow), (ret, 0, 0, deny)]


def deny_keyrings(libc):
    """Join a fresh, empty session keyring, then forbid every keyring system call (seccomp)."""
    _syscall(libc, "keyctl", KEYCTL_JOIN_SESSION_KEYRING, None)

    class Instruction(ctypes.Structure):
        _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8),
                    ("k", ctypes.c_uint32)]

    class Program(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(Instruction))]

    instructions = seccomp_program(os.uname().machine)
    table = (Instruction * len(instructions))(*[Instruction(*i) for i in instructions])
    program = Program(len(instructions), table)
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(program), 0, 0) != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"seccomp: {os.strerror(code)}")


def confine_user_only(config, refused):
    """Where namespaces are refused (a container such as Gradescope's) but we are root: the learner's
    code runs as ``nobody`` in its own folder, with no new privileges. It still sees every file that
    every user may read, so the caller keeps its own files (tests, reference, secret, results)
    readable by root only. The pieces the assignment hides are shadowed on the import path by a copy
    of nnlib with their stubs; the real files stay readable."""
    workdir = config["workdir"]
    for folder, dirs, files in os.walk(workdir):
        for name in dirs + files:
            os.lchown(os.path.join(folder, name), NOBODY, NOBODY)
    os.chown(workdir, NOBODY, NOBODY)
    lib = os.path.join(config["rootdir"], "lib")
    for name, path in (config.get("packages") or {}).items():
        shutil.copytree(path, os.path.join(lib, name), ignore=shutil.ignore_patterns("__pycache__"))
    for relative, stub in (config.get("overlays") or {}).items():
        shutil.copyfile(stub, os.path.join(lib, "nnlib", relative))
    config["import_root"] = lib
    os.setgroups([])
    os.setgid(NOBODY)
    os.setuid(NOBODY)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "no_new_privs")
    deny_keyrings(libc)
    return {"level": "user-only", "detail": f"namespaces refused ({refused.strerror or refused}): unprivileged "
            "user nobody in its own folder, no new privileges, own session keyring and keyring calls denied; "
            "files readable by every user stay readable, the network is not cut, hidden nnlib pieces are "
            "shadowed on the import path only"}


def set_limits(config):
    memory = int(config.get("memory_bytes", 0))
    if memory:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu = int(config.get("cpu_seconds", 0))
    if cpu:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    resource.setrlimit(resource.RLIMIT_FSIZE, (256 << 20, 256 << 20))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if os.getuid() == NOBODY and not config.get("cgroups_limit"):
        # No control group: a fork bomb stops here (the count is per user, shared by all sandboxes).
        resource.setrlimit(resource.RLIMIT_NPROC, (4096, 4096))


class Observer:
    """What the learner's code was seen doing, from Python's audit events and the interpreter's state.

    Flags come from behaviour, never from words in the code: opening a path that names the course's
    grading files, looking up C functions through ``ctypes`` from the learner's own code (not from a
    library it called), replacing built-in functions, adding IPython input transformers. Installed
    after the worker's own set-up, so nothing the worker itself does is seen. The learner's process
    could hide its traces (it runs here), but not forge anyone else's: entries only flag this
    submission, and are capped.
    """

    MAX_ENTRIES = 50

    def __init__(self, watched, shell, bound=()):
        self.watched = [w.lower() for w in watched if w]
        self.bound = tuple(os.path.join(path, "") for path in bound)  # Python's own files, bound in
        self.shell = shell
        self.entries = []  # [kind, detail] not yet sent to the grader
        self.seen = set()
        self.builtins = dict(vars(builtins))
        self.transformers = self._transformers()
        sys.addaudithook(self.hook)

    def _transformers(self):
        if self.shell is None:
            return ()
        return tuple(tuple(getattr(self.shell, name, ()) or ()) for name in
                     ("input_transformers_cleanup", "input_transformers_post", "ast_transformers"))

    def note(self, kind, detail):
        if (kind, detail) not in self.seen and len(self.seen) < self.MAX_ENTRIES:
            self.seen.add((kind, detail))
            self.entries.append([kind, detail])

    def hook(self, event, args):
        if event in ("open", "os.listdir", "os.scandir", "glob.glob") and args:
            path = args[0]
            if isinstance(path, bytes):
                path = path.decode("utf-8", "replace")
            if isinstance(path, str) and any(w in path.lower() for w in self.watched) \
                    and not path.startswith(self.bound):
                self.note("course-access", f"tried to open {path[:300]}")
        elif event == "ctypes.dlsym" and _called_by_learner():
            self.note("tampering", f"looked up the C function {str(args[-1])[:100]} through ctypes")
        elif event == "ctypes.dlopen" and args and args[0] is not None and _called_by_learner():
            self.note("tampering", f"loaded the C library {str(args[0])[:100]} through ctypes")

    def check(self):
        """After each request: what the learner's code changed in the interpreter."""
        now = vars(builtins)
        for name in sorted(set(now) | set(self.builtins)):
            if name.startswith("_") and name not in ("__import__", "__build_class__"):
                continue  # the interpreter's own bookkeeping (``_``, ``__spec__``, ...)
            if now.get(name) is not self.builtins.get(name):
                self.note("tampering", f"replaced the built-in {name}")
        if self._transformers() != self.transformers:
            self.note("tampering", "changed how later cells are read (IPython input transformers)")

    def take(self):
        self.check()
        entries, self.entries = self.entries[:self.MAX_ENTRIES], []
        return entries


def _called_by_learner():
    """Whether the code that set off the event (past ctypes' own frames) is the learner's."""
    frame = sys._getframe(2)
    while frame is not None and os.sep + "ctypes" + os.sep in frame.f_code.co_filename:
        frame = frame.f_back
    if frame is None:
        return False
    name = frame.f_code.co_filename
    return name.startswith("<") and not name.startswith("<frozen")


def serve_forks(fd):
    """The fork server (see ``nngrade/forkserver.py``): load once what every worker needs, then fork
    one worker per request. Nothing of the learner's ever runs in this process."""
    import numpy  # noqa: F401
    try:  # IPython's shell and what creating one imports
        from IPython.core import application, completer, interactiveshell, magics  # noqa: F401
    except ImportError:
        pass
    ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # die with the grader
    server = socket.socket(fileno=fd)
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(server, 1 << 20, 2)
        except OSError:
            return
        if not message:  # the grader closed its end
            return
        request = json.loads(message)
        if request["op"] == "start":
            pid = os.fork()
            if pid == 0:
                server.close()  # first: the learner must never reach the server
                os.setsid()
                config = dict(request["config"], fd_in=fds[0], fd_out=fds[1])
                try:
                    os.chdir(config["workdir"])
                    main(config)
                finally:
                    os._exit(3)  # main leaves by os._exit; an exception ends here
            for received in fds:
                os.close(received)  # the next child must not hold this one's pipes
            reply = {"pid": pid}
        else:  # "reap": how an ended child ended
            try:
                done, status = os.waitpid(int(request["pid"]), os.WNOHANG)
            except ChildProcessError:
                done = 0
            reply = {"code": os.waitstatus_to_exitcode(status) if done else None}
        server.send(json.dumps(reply).encode())


def main(config):
    """One learner's process, just forked by the server: confine, then answer the grader's requests."""
    sys.argv[1:] = []  # the server's arguments are none of the learner's business
    max_reply = int(config.get("reply_bytes", wire.MAX_BLOB_BYTES))
    inbox = os.fdopen(config["fd_in"], "rb", buffering=0)
    outbox = os.fdopen(config["fd_out"], "wb", buffering=0)
    os.environ.update({"HOME": LEARNER_HOME, "MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1",
                       "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "KERAS_BACKEND": "jax",
                       "MPLCONFIGDIR": "/tmp", "IPYTHONDIR": "/tmp/ipython", "PYTHONDONTWRITEBYTECODE": "1"})
    joined = join_cgroups(config)
    status = confine(config)
    if status["level"] == "failed":  # say why, and run nothing: never learner code half-confined
        wire.write_message(outbox, {"op": "ready", "nonce": config.get("nonce"), "isolation": status})
        os._exit(5)
    if status["level"] == "full":
        limited = joined and config.get("cgroups_limit")
        status["detail"] += (", memory and process count limited for the whole submission" if limited else
                             ", memory limited per process only (no writable control group)")
    # Die with the grader (set after the user switch, which clears it). Nothing lingers after Ctrl-C.
    ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() == 1:
        os._exit(4)
    if status["level"] != "full":
        os.chdir(config["workdir"])
    sys.path.insert(0, config.get("import_root", "/opt/nngrade/lib"))
    set_limits(config)
    import random

    import numpy

    # The same notebook gets the same grade every time: Python's generator (which Keras draws its
    # seeds from when given none) and NumPy's global one start from the grader's seed.
    random.seed(int(config.get("seed", 0)))
    numpy.random.seed(int(config.get("seed", 0)) % (1 << 32))

    try:
        from IPython.core.interactiveshell import InteractiveShell
        from traitlets.config import Config

        # No history from the start: its database would cost a thread and an sqlite file per learner.
        settings = Config()
        settings.HistoryManager.enabled = False
        shell = InteractiveShell.instance(config=settings)
        user_ns = shell.user_ns
    except Exception:  # IPython is optional: plain exec is the fallback
        shell, user_ns = None, {"__name__": "__main__"}
    wire.write_message(outbox, {"op": "ready", "nonce": config.get("nonce"), "isolation": status,
                                "ipython": shell is not None})
    observer = Observer(config.get("watched", []), shell, config["python_paths"])

    session = Session(shell, user_ns, inbox, outbox, max_reply)
    while True:
        try:
            header, blobs = wire.read_message(inbox)
        except EOFError:
            os._exit(0)
        op = header.get("op")
        nonce = header.get("nonce")
        if op == "stop":
            wire.write_message(outbox, {"ok": True, "nonce": nonce})
            os._exit(0)
        try:
            handler = HANDLERS.get(op)
            if handler is None:
                raise ValueError(f"unknown operation {op!r}")
            answer, reply_blobs = handler(session, header, blobs)
            reply = dict(answer, ok=True)
        except wire.WireError as error:
            reply = {"ok": False, "etype": "WireError", "message": str(error), "builtin": False}
            reply_blobs = []
        except BaseException as error:  # noqa: BLE001 (learner code may raise anything)
            kind = type(error)
            reply = {
                "ok": False,
                "etype": kind.__name__,
                "builtin": kind.__module__ == "builtins",
                "message": _safe_str(error),
                "traceback": _learner_traceback(error),
            }
            reply_blobs = []
        reply["nonce"] = nonce
        reply["observed"] = observer.take()
        wire.write_message(outbox, reply, reply_blobs)


class Session:
    """What the request handlers share: the learner's namespace and the grader's channel."""

    def __init__(self, shell, user_ns, inbox, outbox, max_reply):
        self.shell, self.user_ns = shell, user_ns
        self.inbox, self.outbox, self.max_reply = inbox, outbox, max_reply


def handle_run_cell(session, header, blobs):
    """Run one learner cell; ``cell_error`` (and its traceback) when it raised."""
    return run_cell(session.shell, session.user_ns, header["code"], header.get("label", "cell")), []


def handle_call(session, header, blobs):
    """Call a learner function with the grader's plain data; its result as plain data."""
    target = session.user_ns.get(header["name"])
    if target is None or not callable(target):
        raise NameError(f"name '{header['name']}' is not defined as a function in your notebook")
    GraderFunction.channel.update(inbox=session.inbox, outbox=session.outbox, nonce=header.get("nonce"),
                                  max=session.max_reply)
    args, kwargs = wire.decode(header["args"], blobs, learner=lambda name: _own_function(session.user_ns, name),
                               grader=GraderFunction)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = target(*args, **kwargs)
    tree, reply_blobs = wire.encode(result, max_bytes=session.max_reply)
    kept = [[w.category.__name__, str(w.message)[:500]] for w in caught[:20] if w.category.__module__ == "builtins"]
    return {"value": tree, "warnings": kept}, reply_blobs


def handle_describe(session, header, blobs):
    """For each name: missing, callable, plain data (sent along) or other."""
    kinds, reply_blobs = {}, []
    for name in header["names"]:
        value = session.user_ns.get(name)
        if name not in session.user_ns:
            kinds[name] = {"kind": "missing"}
        elif callable(value):
            kinds[name] = {"kind": "callable"}
        else:
            try:
                tree, more = wire.encode(value, max_bytes=session.max_reply)
                kinds[name] = {"kind": "data", "value": tree, "offset": len(reply_blobs)}
                reply_blobs.extend(more)
            except wire.WireError as error:
                kinds[name] = {"kind": "other", "message": str(error)}
    return {"names": kinds}, reply_blobs


HANDLERS = {"run_cell": handle_run_cell, "call": handle_call, "describe": handle_describe}


class GraderFunction:
    """A function that stays in the grader (nnlib's own, hidden here): each call asks the grader.

    Only valid during the call that handed it over; the grader refuses it afterwards.
    """

    channel = {}  # inbox, outbox, the current request's nonce, the reply cap

    def __init__(self, index):
        self.index = index

    def __call__(self, *args, **kwargs):
        channel = self.channel
        tree, blobs = wire.encode([list(args), dict(kwargs)], max_bytes=channel["max"])
        wire.write_message(channel["outbox"], {"op": "callback", "i": self.index, "args": tree,
                                               "nonce": channel["nonce"]}, blobs)
        header, blobs = wire.read_message(channel["inbox"])
        if header.get("ok"):
            return wire.decode(header["value"], blobs)
        kind = getattr(builtins, str(header.get("etype")), None)
        if not (isinstance(kind, type) and issubclass(kind, Exception)):
            kind = RuntimeError
        raise kind(str(header.get("message", "")))


def _own_function(user_ns, name):
    target = user_ns.get(name)
    if not callable(target):
        raise NameError(f"name '{name}' is not defined as a function in your notebook")
    return target


def _safe_str(error):
    try:
        text = str(error)
    except Exception:  # noqa: BLE001
        text = "<the error message could not be shown>"
    return text[:2000]


def _learner_traceback(error):
    lines = traceback.format_exception(type(error), error, error.__traceback__)
    kept = [line for line in lines if HERE not in line]
    return "".join(kept)[-4000:]


def run_cell(shell, user_ns, code, label):
    if shell is not None:
        result = shell.run_cell(code, store_history=False, silent=False)
        error = result.error_before_exec or result.error_in_exec
        if error is not None:
            return {"cell_error": f"{type(error).__name__}: {_safe_str(error)}",
                    "traceback": _learner_traceback(error)}
        return {}
    try:
        exec(compile(code, f"<{label}>", "exec"), user_ns)
    except BaseException as error:  # noqa: BLE001
        return {"cell_error": f"{type(error).__name__}: {_safe_str(error)}",
                "traceback": _learner_traceback(error)}
    return {}


if __name__ == "__main__":
    try:
        if sys.argv[1:2] == ["--fork-server"]:
            serve_forks(int(sys.argv[2]))
    except BaseException:  # noqa: BLE001
        os._exit(3)
