"""Attacks on the sandbox itself (issue 8): each is learner code with the outcome it must get.

Every case here broke the grader before: a venv under /tmp hidden by the sandbox's own /tmp, a fake
reply that hung the grader, processes that outlived the submission, shared memory seen by the next
student, limits that held per process only, a folder tree too deep to clean up, and replies the
grader trusted too much.
"""

import errno
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from nngrade import scratch
from nngrade.sandbox import Limits, Sandbox, SandboxDied

COURSE = str(Path(__file__).resolve().parents[2])
SHORT = Limits(cell_seconds=20, call_seconds=20, startup_seconds=60)


@pytest.fixture
def hang_guard():
    """Turn a hang (the bug) into a failure instead of a test run that never ends."""

    def fail(signum, frame):
        raise AssertionError("the grader hung")

    previous = signal.signal(signal.SIGALRM, fail)
    signal.alarm(120)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def _named(token):
    """PIDs of the live (not zombie) processes whose name holds ``token``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                comm = (entry / "comm").read_text()
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if token in comm and state != "Z":
                found.append(int(entry.name))
    return found


def _wait_until_gone(token):
    """The processes named ``token`` still alive after giving the kernel a moment to finish its kills."""
    for _ in range(200):
        if not _named(token):
            return []
        time.sleep(0.05)
    return _named(token)


# -- 1. the course, the venv and the temporary folder under /tmp ---------------------------------

PROBE = textwrap.dedent("""
    import os, sys
    sys.path.insert(0, os.getcwd())  # the course folder (under /tmp), as when run from the course
    import nnlib
    from nngrade.sandbox import Limits, Sandbox
    assert sys.prefix.startswith(sys.argv[1]) and nnlib.__file__.startswith(sys.argv[1]), (sys.prefix, nnlib.__file__)
    with Sandbox(limits=Limits(cell_seconds=60, call_seconds=60)) as box:
        error = box.run_cell("import numpy.random, nnlib.activations\\n"
                             "def relu_of_two():\\n    return float(nnlib.activations.relu([2.0])[0])")
        print(box.isolation["level"], error, box.call("relu_of_two", [], {}))
""")


def test_the_sandbox_works_when_the_course_the_venv_and_the_temporary_folder_are_under_tmp(tmp_path):
    """The sandbox's private /tmp used to hide a venv or course that lives under the host's /tmp."""
    assert str(tmp_path).startswith("/tmp/")
    course, venv, temp = tmp_path / "course", tmp_path / "venv", tmp_path / "temp"
    for folder in (course, venv, temp):
        folder.mkdir()
    (tmp_path / "probe.py").write_text(PROBE)
    script = (f"mount --bind {COURSE} {course} && mount --bind {sys.prefix} {venv} && cd {course} && "
              f"TMPDIR={temp} exec {venv}/bin/python -I {tmp_path}/probe.py {tmp_path}")
    unshare = ["unshare", "--mount", "--propagation", "private"] + ([] if os.geteuid() == 0 else ["--map-root-user"])
    done = subprocess.run([*unshare, "sh", "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split() == ["full", "None", "2.0"], done.stdout + done.stderr[-2000:]
    assert not list(temp.iterdir())  # and nothing left in that temporary folder


# -- 3. a forged reply and a full pipe -----------------------------------------------------------

FORGE = textwrap.dedent("""
    import json, os, struct, sys, time
    def _nonce():
        frame = sys._getframe()
        while frame is not None:
            header = frame.f_locals.get("header")
            if isinstance(header, dict) and "nonce" in header:
                return header["nonce"]
            frame = frame.f_back
    def _reply_pipe():  # the write end of a pipe: the worker's channel to the grader
        import fcntl, stat
        for fd in range(3, 256):
            try:
                if fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_WRONLY and stat.S_ISFIFO(os.fstat(fd).st_mode):
                    return fd
            except OSError:
                pass
    _fake = json.dumps({"ok": True, "nonce": NONCE, "nblobs": 0}).encode()
    os.write(_reply_pipe(), struct.pack("!I", len(_fake)) + _fake)
    time.sleep(3600)
""")


@pytest.mark.parametrize("nonce", ["None", "_nonce()"], ids=["naive", "nonce-read-from-memory"])
def test_a_fake_reply_then_a_full_pipe_ends_in_a_flag_not_a_hang(hang_guard, nonce):
    with Sandbox(limits=Limits(cell_seconds=3, call_seconds=3)) as box:
        died = None
        try:
            assert box.run_cell(FORGE.replace("NONCE", nonce)) is None
            box.run_cell("x = 1\n" + "# padding\n" * 10_000)  # 100 kB: more than a pipe holds
        except SandboxDied as death:
            died = death
        assert died is not None and died.kind in ("protocol", "timeout"), died


def test_each_submission_has_a_total_time_limit(hang_guard):
    """Many cells that each stay under the cell limit still end when the submission's time is up."""
    with Sandbox(limits=Limits(cell_seconds=2, submission_seconds=4)) as box:
        with pytest.raises(SandboxDied, match="total time") as died:
            for _ in range(20):
                box.run_cell("import time\ntime.sleep(1.5)")
        assert died.value.kind == "timeout"


def test_grading_a_forged_reply_and_a_long_cell_flags_it_and_goes_on(hang_guard):
    from nngrade import demo
    from nngrade.engine import grade_notebook
    from nngrade.notebook import AssignmentSpec, read_notebook

    source = read_notebook(Path(__file__).parent / "fixtures" / "course" / "solutions" / "toy" / "toy.ipynb")
    spec = AssignmentSpec.from_notebook(source, "toy")
    nb = demo.with_cell(demo.solved(source), FORGE.replace("NONCE", "None"), position=1)
    nb = demo.with_cell(nb, "x = 1\n" + "# padding\n" * 10_000, position=2)
    result = grade_notebook(spec, nb, limits=Limits(cell_seconds=3, call_seconds=3))
    assert {f.kind for f in result.flags} & {"crash", "timeout"}, result.flags
    assert not result.complete


# -- 5. nothing outlives the submission ------------------------------------------------------------

ESCAPE = textwrap.dedent("""
    import ctypes, os, threading, time
    libc = ctypes.CDLL(None)
    def _linger(name):
        libc.prctl(1, 0, 0, 0, 0)  # PR_SET_PDEATHSIG: none
        libc.prctl(15, name, 0, 0, 0)  # PR_SET_NAME
        threading.Thread(target=time.sleep, args=(3600,)).start()  # a non-daemon thread
    child = os.fork()
    if child == 0:
        os.setsid()
        if os.fork() == 0:
            _linger(b"TOKENc")
            time.sleep(3600)
        os._exit(0)
    os.waitpid(child, 0)
    os.setsid()
    _linger(b"TOKENp")
""")


@pytest.mark.parametrize("user_namespace", [False, True], ids=["root-recipe", "user-namespace-recipe"])
def test_no_process_of_the_submission_survives_it(user_namespace):
    token = "nn" + os.urandom(3).hex()
    box = Sandbox(limits=SHORT, user_namespace=user_namespace).start()
    try:
        assert box.run_cell(ESCAPE.replace("TOKEN", token)) is None
        assert len(_named(token)) == 2 and box.alive  # the escapees run, each with its thread
    finally:
        box.stop()
    assert _wait_until_gone(token) == []


def test_the_survivor_check_finds_a_live_process():
    """The check above can fail: a named process that is alive is found."""
    token = "nn" + os.urandom(3).hex()
    child = subprocess.Popen([sys.executable, "-c", "import ctypes, time; "
                              f"ctypes.CDLL(None).prctl(15, b'{token}', 0, 0, 0); time.sleep(60)"])
    try:
        for _ in range(200):
            if _named(token):
                break
            time.sleep(0.05)
        assert _named(token) == [child.pid]
    finally:
        child.kill()
        child.wait()


# -- 6. System V shared memory stays with its submission --------------------------------------------

SHM = "import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\ndef shm(flags):\n    return libc.shmget(KEY, 4096, flags)\n"


def test_a_shared_memory_segment_of_one_submission_is_invisible_to_the_next():
    key = int.from_bytes(os.urandom(3), "little") + 0x4E000000  # (a leftover of an earlier run is no help)
    code = SHM.replace("KEY", str(key))
    with Sandbox(limits=SHORT) as first:
        first.run_cell(code)
        assert first.call("shm", [0o1000 | 0o666], {}) >= 0  # IPC_CREAT: made
        assert first.call("shm", [0o666], {}) >= 0  # and found again by its maker
        with Sandbox(limits=SHORT) as second:
            second.run_cell(code)
            assert second.call("shm", [0o666], {}) == -1
    import ctypes

    assert ctypes.CDLL(None).shmget(key, 4096, 0o666) == -1  # nor does the host see it


# -- 7. limits for the whole submission ---------------------------------------------------------------

FORK_HOGS = textwrap.dedent("""
    import os, time
    import numpy as np
    children = []
    for _ in range(3):
        pid = os.fork()
        if pid == 0:
            block = np.ones(600 * 2**20 // 8)  # 600 MB, every page touched
            time.sleep(5)
            os._exit(0)
        children.append(pid)
    for pid in children:
        os.waitpid(pid, 0)
""")


def test_three_forked_600_mb_children_under_a_1_gb_limit_are_stopped_and_flagged(hang_guard):
    with Sandbox(limits=Limits(cell_seconds=60, memory_bytes=1 << 30)) as box:
        if os.geteuid() != 0:  # no control group to write: said plainly in the isolation
            assert "memory limited per process only" in box.isolation["detail"]
            return
        assert "memory and process count limited for the whole submission" in box.isolation["detail"]
        with pytest.raises(SandboxDied, match="memory limit") as died:
            box.run_cell(FORK_HOGS)
        assert died.value.kind == "memory"


def test_the_submissions_processes_are_counted_together(hang_guard):
    with Sandbox(limits=Limits(cell_seconds=60, processes=16)) as box:
        if os.geteuid() != 0:  # no control group to write: said plainly in the isolation
            assert "memory limited per process only" in box.isolation["detail"]
            return
        box.run_cell(textwrap.dedent("""
            import os, time
            def spawn(n):
                made, refused = [], 0
                for _ in range(n):
                    try:
                        pid = os.fork()
                    except OSError:
                        refused += 1
                        continue
                    if pid == 0:
                        time.sleep(3)
                        os._exit(0)
                    made.append(pid)
                for pid in made:
                    os.waitpid(pid, 0)
                return [len(made), refused]
        """))
        made, refused = box.call("spawn", [40], {})
        assert made < 16 and refused > 0


WRITE_FILES = textwrap.dedent("""
    import os
    def write_three():
        outcome = []
        for name in ("a", "b", "c"):
            try:
                with open(name, "wb") as handle:
                    for _ in range(200):
                        handle.write(b"x" * 2**20)
                outcome.append(0)
            except OSError as error:
                outcome.append(error.errno)
        return outcome
""")


def test_three_200_mb_files_hit_the_scratch_limit_and_nothing_reaches_the_hosts_disk():
    with Sandbox(limits=SHORT) as box:
        box.run_cell(WRITE_FILES)
        outcome = box.call("write_three", [], {})
        assert outcome[:2] == [0, 0] and outcome[2] == errno.ENOSPC, outcome
        on_host = sum(f.stat().st_size for f in box.base.rglob("*") if f.is_file())
        assert on_host < 1 << 20, on_host


# -- 8. deep folders and leftovers ----------------------------------------------------------------------

DEEP = "import os\nfor _ in range(1100):\n    os.mkdir('d')\n    os.chdir('d')\nos.chdir('/tmp')\n"


def _ours():
    return sorted(Path("/tmp").glob(f"nngrade-{os.getpid()}-*"))


def test_a_1100_deep_folder_tree_is_cleaned_up_and_nothing_is_left_in_tmp():
    before = _ours()
    with Sandbox(limits=SHORT) as box:
        assert box.run_cell(DEEP) is None
        assert box.run_cell(DEEP.replace("os.mkdir", "os.chdir('/tmp') or os.mkdir", 0)) is None
    assert _ours() == before


def test_cleanup_removes_a_1100_deep_tree_on_the_hosts_disk(tmp_path):
    top = tmp_path / "deep"
    top.mkdir()
    fd = os.open(top, os.O_RDONLY | os.O_DIRECTORY)
    for _ in range(1100):
        os.mkdir("d", dir_fd=fd)
        inner = os.open("d", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
        os.close(fd)
        fd = inner
    os.close(fd)
    scratch.remove_tree(top)
    assert not top.exists()


def test_leftovers_of_a_killed_run_are_removed_and_a_live_runs_are_kept(tmp_path):
    gone = subprocess.Popen(["true"])
    gone.wait()
    live = subprocess.Popen(["sleep", "60"])
    try:
        stale = tmp_path / f"nngrade-{gone.pid}-abc"
        (stale / "work" / "deep").mkdir(parents=True)
        kept = tmp_path / f"nngrade-{live.pid}-abc"
        kept.mkdir()
        old_log = tmp_path / "nngrade-log-x1y2"
        old_log.write_text("a log of an earlier version")
        os.utime(old_log, (time.time() - 7200, time.time() - 7200))
        fresh_log = tmp_path / "nngrade-log-a1b2"  # maybe still written by a run of an earlier version
        fresh_log.write_text("")
        other = tmp_path / "nngrade-notes"
        other.mkdir()
        scratch.remove_stale(tmp_path)
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted([kept.name, fresh_log.name, other.name])
    finally:
        live.kill()
        live.wait()


# -- 13. replies are not trusted ----------------------------------------------------------------------

HUGE_REPLIES = textwrap.dedent("""
    import fcntl, json, os, struct, sys
    import numpy as np
    def big():
        return np.ones(200_000_000, dtype=bool)
    def _reply_pipe():
        for fd in range(3, 256):
            try:
                if fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_WRONLY and os.fstat(fd).st_mode & 0o170000 == 0o010000:
                    return fd
            except OSError:
                pass
    def forged():
        frame = sys._getframe()
        while "header" not in frame.f_locals:
            frame = frame.f_back
        nonce = frame.f_locals["header"]["nonce"]
        head = json.dumps({"ok": True, "nonce": nonce, "nblobs": 1, "value": {"t": "nd", "i": 0}}).encode()
        fd = _reply_pipe()
        os.write(fd, struct.pack("!I", len(head)) + head + struct.pack("!Q", 200 * 2**20))
        block = b"x" * 2**20
        for _ in range(200):
            os.write(fd, block)
        os._exit(0)
""")

BIG = textwrap.dedent("""
    import sys
    from nngrade.sandbox import Limits, Sandbox
    with Sandbox(limits=Limits(call_seconds=60, memory_bytes=3 << 30)) as box:
        assert box.run_cell(sys.stdin.read()) is None
        messages = []
        for name in ("big", "forged"):
            try:
                box.call(name, [], {})
                messages.append("accepted")
            except Exception as error:
                messages.append(f"{type(error).__name__}: {error}")
    # VmHWM: this process's own peak (ru_maxrss would carry over the forking pytest worker's peak)
    status = open("/proc/self/status").read().split("VmHWM:")[1]
    print(int(status.split()[0]) // 1024)
    print(messages[0])
    print(messages[1])
""")


def test_a_200_mb_reply_fails_the_call_clearly_and_the_grader_stays_small():
    done = subprocess.run([sys.executable, "-c", BIG], input=HUGE_REPLIES, capture_output=True, text=True,
                          cwd=COURSE, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    peak_mb, sent, forged = done.stdout.splitlines()
    assert "200 MB of arrays; at most 67 MB may cross" in sent, sent
    assert "210 MB of array data came back; at most 67 MB is accepted" in forged, forged
    assert int(peak_mb) < 200, peak_mb  # the grader alone is ~60 MB; the reply never lands in it


def test_describe_gives_each_array_its_own_value():
    with Sandbox(limits=SHORT) as box:
        box.run_cell("import numpy as np\nfirst = np.arange(3)\nsecond = np.arange(5) * 10\nthird = 'text'")
        described = box.describe(["first", "second", "third"])
    np.testing.assert_array_equal(described["first"][1], np.arange(3))
    np.testing.assert_array_equal(described["second"][1], np.arange(5) * 10)
    assert described["third"] == ("data", "text")


def test_printing_memoryerror_does_not_turn_a_crash_into_a_memory_verdict():
    with Sandbox(limits=SHORT) as box:
        with pytest.raises(SandboxDied) as died:
            box.run_cell("import os, sys\nprint('MemoryError', file=sys.stderr, flush=True)\n"
                         "print('MemoryError', flush=True)\nos._exit(1)")
    assert died.value.kind == "exit" and "exit code 1" in died.value.reason


def test_flags_come_from_what_the_code_did_not_from_its_words():
    """Naming the course in a comment or a string flags nothing; opening it does. What the learner's
    process reports is capped and of two kinds only (it may hide its own traces, not forge others')."""
    with Sandbox(limits=SHORT, watched=[COURSE, "gradebook"]) as box:
        box.run_cell(f"# I compared two solutions; check the gradebook on Friday\nnote = {COURSE!r}")
        assert box.audit == []
        box.run_cell(f"try:\n    open({COURSE + '/solutions/x'!r})\nexcept OSError:\n    pass")
        assert box.audit == [("course-access", f"tried to open {COURSE}/solutions/x")]
        box.run_cell("import ctypes\nlibc = ctypes.CDLL(None)\nlibc.getpid()")
        assert ("tampering", "looked up the C function getpid through ctypes") in box.audit
        box.run_cell("import gc\n"
                     "for _o in gc.get_objects():\n"
                     "    if type(_o).__name__ == 'Observer':\n"
                     "        _o.entries.extend([['made-up', 'x']] * 1000 + [['tampering', 'y']] * 1000)\n")
        assert len(box.audit) <= 50 and all(kind in ("course-access", "tampering") for kind, _ in box.audit)
        box.run_cell("import builtins\nvars(builtins)['abs'] = lambda x: 0")
        assert ("tampering", "replaced the built-in abs") in box.audit
