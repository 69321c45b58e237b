"""Stopping `nngrade grade` stops everything it started: pool workers and their sandboxes."""

import copy
import dataclasses
import os
import resource
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from nngrade import demo


def _running():
    """{pid: (start time, parent pid, environment, command line)} of every live process (zombies and
    processes that end while being read left out)."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            state, parent, *rest = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            environ, cmdline = (entry / "environ").read_bytes(), (entry / "cmdline").read_bytes()
        except (OSError, ValueError):
            continue
        if state != "Z":
            table[int(entry.name)] = (int(rest[17]), int(parent), environ, cmdline)  # field 22: start time
    return table


class Run:
    """The processes of one ``nngrade grade`` run: those tagged by its environment (the grader and
    its pool workers) and every descendant of them: fork servers, learner processes and helpers,
    which start with an environment of their own. Every process seen at any scan is remembered
    (by pid and start time), so one that outlives the run is found even after its parent died."""

    def __init__(self, tag):
        self.tag = f"NNGRADE_STOP_TEST={tag}".encode()
        self.seen = {}  # pid -> start time

    def scan(self, table=None):
        """The run's processes alive now."""
        table = _running() if table is None else table
        found = {pid for pid, (_, _, environ, _) in table.items() if self.tag in environ.split(b"\0")}
        while True:
            more = {pid for pid, (_, parent, _, _) in table.items() if parent in found} - found
            if not more:
                break
            found |= more
        self.seen.update((pid, table[pid][0]) for pid in found)
        return {pid for pid, start in self.seen.items() if pid in table and table[pid][0] == start}

    def learners(self):
        """Learner processes now running: the children of a fork server."""
        table = _running()
        alive = self.scan(table)
        servers = {pid for pid in alive if b"--fork-server" in table[pid][3]}
        return {pid for pid in alive if table[pid][1] in servers}


def _wait(condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


@pytest.mark.parametrize("how", ["ctrl-c", "sigterm", "sigkill"])
def test_stopping_grading_stops_its_workers_and_sandboxes(tmp_path, how, toy_course, toy_source):
    slow = demo.with_cell(demo.solved(toy_source), "import time\ntime.sleep(30)")
    root = toy_course({f"student{index}": slow for index in range(6)})
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    run = Run(uuid.uuid4().hex)
    env = dict(os.environ, TMPDIR=str(scratch), NNGRADE_STOP_TEST=run.tag.decode().split("=")[1])
    process = subprocess.Popen([sys.executable, "-m", "nngrade", "grade", "toy", "--course-dir", str(root),
                                "--jobs", "2", "--no-feedback", "--cell-timeout", "60"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        # Wait until both pool workers are grading (a learner process each; the self-check's ended).
        assert _wait(lambda: len(run.learners()) >= 2 and process.poll() is None, 120), "grading never got going"
        time.sleep(1)
        started = run.scan() - {process.pid}
        if how == "ctrl-c":
            os.killpg(process.pid, signal.SIGINT)  # what a terminal sends to the whole foreground group
        elif how == "sigterm":
            os.kill(process.pid, signal.SIGTERM)
        else:
            os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
        assert _wait(lambda: not run.scan(), 30), f"still running after grading stopped: {run.scan()} (started {started})"
        assert not list(scratch.iterdir()), "the run's temporary folders are left behind"
        results = root / "nngrade-results" / "toy"
        recorded = len(list(results.glob("*.json"))) if results.exists() else 0
        time.sleep(3)
        assert (len(list(results.glob("*.json"))) if results.exists() else 0) == recorded  # nobody grades on
    finally:
        for pid in run.scan():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


# -- lost workers, the watchdog and the class's time budget ------------------------------------

def _sabotaged(how, marker):
    """Unpickled in the worker with its submission: what happens to the worker before it judges."""
    if how == "die-once" and not Path(marker).exists():
        Path(marker).write_text("died")
        os.kill(os.getpid(), signal.SIGKILL)
    if how == "die":
        os.kill(os.getpid(), signal.SIGKILL)
    if how == "hang":
        time.sleep(3600)
    return None  # the released folder: none


class _Sabotage:
    def __init__(self, how, marker):
        self.how, self.marker = how, str(marker)

    def __reduce__(self):
        return _sabotaged, (self.how, self.marker)


def _judge_class(tmp_path, source, how, limits, count=3, deadline=None):
    from types import SimpleNamespace

    from nngrade.notebook import AssignmentSpec
    from nngrade.pool import judge_all

    tasks = [SimpleNamespace(submission=SimpleNamespace(
        student=f"s{i}", path=demo.write(demo.solved(source), tmp_path / f"s{i}" / "toy.ipynb")))
        for i in range(count)]
    finished = []
    judge_all(AssignmentSpec.from_notebook(source, "toy"), tasks,
              (_Sabotage(how, tmp_path / "marker"), limits, True, []), 2,
              lambda task, result: finished.append((task.submission.student, result)), deadline=deadline)
    return finished


def test_a_lost_worker_is_replaced_and_its_submission_judged_again(tmp_path, toy_source, limits):
    finished = _judge_class(tmp_path, toy_source, "die-once", limits)
    assert [student for student, _ in finished] == ["s0", "s1", "s2"]
    assert all(result.score == 3 and result.complete for _, result in finished), finished
    assert (tmp_path / "marker").exists()  # one worker did die


def test_a_submission_that_loses_its_worker_twice_stops_only_itself(tmp_path, toy_source, limits):
    finished = _judge_class(tmp_path, toy_source, "die", limits, count=2)
    assert [student for student, _ in finished] == ["s0", "s1"]
    for _, result in finished:
        assert result.grader_failed and result.kinds() == ["crash"] and "lost twice" in result.flags[0].detail


def test_the_watchdog_replaces_a_silent_worker(tmp_path, monkeypatch, toy_source):
    from nngrade import pool
    from nngrade.sandbox import Limits

    monkeypatch.setattr(pool, "WATCHDOG_GRACE_SECONDS", 0.0)
    silent = Limits(submission_seconds=1, startup_seconds=1)  # the watchdog's own subject: a short submission
    finished = _judge_class(tmp_path, toy_source, "hang", silent, count=1)
    (_, result), = finished
    assert result.kinds() == ["timeout"] and "watchdog" in result.flags[0].detail and not result.grader_failed


def test_the_class_time_budget_leaves_the_rest_for_the_next_run(tmp_path, toy_source, limits):
    finished = _judge_class(tmp_path, toy_source, "hang", limits, count=3, deadline=time.monotonic() + 2)
    assert [student for student, _ in finished] == ["s0", "s1", "s2"]
    for _, result in finished:
        assert result.grader_failed and result.kinds() == ["timeout"]
        assert "time budget ran out" in result.flags[0].detail


def test_test_code_expanding_a_learner_s_reply_runs_out_of_the_worker_s_memory_not_the_machine_s(
        tmp_path, monkeypatch, toy_source, limits):
    """Issue 16, case 1: an answer returning 60 MB (under the wire's cap) that test code turns into a
    list of 60 million numbers once took the grader to 2.6 GB. The worker judging it has a memory
    limit of its own: the test fails with MemoryError, the grader and the class are unharmed."""
    from types import SimpleNamespace

    from nngrade import pool
    from nngrade.notebook import AssignmentSpec, nbgrader_meta

    source = copy.deepcopy(toy_source)
    test = next(c for c in source.cells if nbgrader_meta(c).get("grade_id") == "double_values")
    test.source = "assert list(double(np.arange(3.0))) == [0.0, 2.0, 4.0]\n" + test.source
    greedy = demo.with_cell(demo.solved(source), "def double(x):\n    return np.zeros(60_000_000, np.int8)")
    monkeypatch.setattr(pool, "GRADER_MEMORY_BYTES", 1 << 30)  # the worker: 1 GB above the learner's limit
    small = dataclasses.replace(limits, memory_bytes=512 << 20)
    tasks = [SimpleNamespace(submission=SimpleNamespace(student=name, path=demo.write(nb, tmp_path / f"{name}.ipynb")))
             for name, nb in (("greedy", greedy), ("honest", demo.solved(source)))]
    finished = {}
    grader_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    pool.judge_all(AssignmentSpec.from_notebook(source, "toy"), tasks, (None, small, True, []), 1,
                   lambda task, result: finished.update({task.submission.student: result}))
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - grader_before < 200 << 10  # KiB: under 200 MB
    greedy_tests = {t.grade_id: t for t in finished["greedy"].tests}
    assert not greedy_tests["double_values"].passed and "MemoryError" in greedy_tests["double_values"].message
    assert greedy_tests["safe_mean_values"].passed and not finished["greedy"].grader_failed
    assert finished["honest"].score == 3 and finished["honest"].complete
