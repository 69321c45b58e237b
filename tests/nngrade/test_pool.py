"""Stopping `nngrade grade` stops everything it started: pool workers and their sandboxes."""

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from nngrade import demo
from nngrade.notebook import read_notebook

FIXTURE = Path(__file__).parent / "fixtures" / "course"


def _processes(tag, scratch):
    """pids of processes started by this run: tagged by environment, or sandboxes using its TMPDIR."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if not cmdline:
            continue  # a zombie, already finished
        tagged = tag is not None and f"NNGRADE_STOP_TEST={tag}".encode() in environ.split(b"\0")
        if tagged or str(scratch).encode() in cmdline:
            found.add(int(entry.name))
    return found


def _sandboxes(scratch):
    return _processes(tag=None, scratch=scratch)


def _wait(condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


@pytest.mark.parametrize("how", ["ctrl-c", "sigterm", "sigkill"])
def test_stopping_grading_stops_its_workers_and_sandboxes(tmp_path, how):
    root = tmp_path / "course"
    shutil.copytree(FIXTURE, root)
    solved = demo.solved(read_notebook(FIXTURE / "solutions" / "toy" / "toy.ipynb"))
    slow = demo.with_cell(solved, "import time\ntime.sleep(30)")
    for index in range(6):
        demo.write(slow, root / "submitted" / f"student{index}" / "toy" / "toy.ipynb")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    tag = uuid.uuid4().hex
    env = dict(os.environ, TMPDIR=str(scratch), NNGRADE_STOP_TEST=tag)
    process = subprocess.Popen([sys.executable, "-m", "nngrade", "grade", "toy", "--course-dir", str(root),
                                "--jobs", "2", "--no-feedback", "--cell-timeout", "60"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        # Wait until both pool workers are grading (two sandboxes besides the self-check's).
        assert _wait(lambda: len(_sandboxes(scratch)) >= 2 and process.poll() is None
                     and len(_processes(tag, scratch)) >= 5, 120), "grading never got going"
        time.sleep(1)
        started = _processes(tag, scratch) - {process.pid}
        if how == "ctrl-c":
            os.killpg(process.pid, signal.SIGINT)  # what a terminal sends to the whole foreground group
        elif how == "sigterm":
            os.kill(process.pid, signal.SIGTERM)
        else:
            os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
        assert _wait(lambda: not _processes(tag, scratch), 30), \
            f"still running after grading stopped: {_processes(tag, scratch)} (started {started})"
        results = root / "nngrade-results" / "toy"
        recorded = len(list(results.glob("*.json"))) if results.exists() else 0
        time.sleep(3)
        assert (len(list(results.glob("*.json"))) if results.exists() else 0) == recorded  # nobody grades on
    finally:
        for pid in _processes(tag, scratch):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
