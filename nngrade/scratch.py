"""The sandboxes' temporary folders on the host: made per sandbox, named after the grading process
(``nngrade-<pid>-...``), removed with it, and found again after a killed run."""

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

PREFIX = "nngrade-"


def remove_tree(path):
    """Remove ``path`` whatever it holds (also trees too deep for :func:`shutil.rmtree`); never raises."""
    path = os.fspath(path)
    try:
        shutil.rmtree(path)
    except FileNotFoundError:
        return
    except (OSError, RecursionError):
        # GNU rm walks a tree of any depth without recursion and without long paths.
        subprocess.run(["rm", "-rf", "--one-file-system", "--", path], stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


def owner_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale(folder=None):
    """Remove the sandbox folders and logs left by grader processes that are gone (a killed run).

    Names are ``nngrade-<pid>-...``: only folders whose owner process no longer exists are removed,
    so a run that is still going on elsewhere keeps its own. Earlier versions named their folders and
    logs ``nngrade-work-*``, ``nngrade-root-*`` and ``nngrade-log-*`` with no owner: those are removed
    once untouched for an hour (no grading takes that long without writing its log).
    """
    folder = Path(folder or tempfile.gettempdir())
    try:
        entries = list(folder.iterdir())
    except OSError:
        return
    for entry in entries:
        name = entry.name
        if not name.startswith(PREFIX):
            continue
        owner = name[len(PREFIX):].split("-", 1)[0]
        if owner in _OLD_KINDS:
            try:
                if time.time() - entry.lstat().st_mtime < 3600:
                    continue
            except OSError:
                continue
        elif not owner.isdigit() or int(owner) == os.getpid() or owner_alive(int(owner)):
            continue
        if entry.is_dir() and not entry.is_symlink():
            remove_tree(entry)
        else:
            try:
                entry.unlink()
            except OSError:
                pass


_OLD_KINDS = ("work", "root", "log")
