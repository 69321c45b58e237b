"""Step 2 of grading a class: decide what must be judged, and what is already known.

Each judged submission is cached in ``nngrade-results/<assignment>/<student>.json`` under a key
that hashes everything its verdict depends on: the source notebook, the submission, the settings
recorded beside it (limits, isolation, the released files, Python's and NumPy's versions: a merge
takes each verdict as it was judged), and the code that judged it (every source file of ``nngrade`` and of ``nnlib``, whose ``testing``
helpers the tests call). Change any of them and the verdict is judged again: no version number to
remember to bump.

``--shard K/N`` keeps the submissions whose student id hashes to ``K`` modulo ``N``: a fixed split
that does not depend on which machine, order or listing produced the student list.
"""

import dataclasses
import hashlib
import json
import os
from pathlib import Path

from .result import SubmissionResult

PACKAGES = ("nngrade", "nnlib")


def _package_dir(name):
    import importlib.util

    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def source_roots():
    """The folders whose Python sources decide a verdict."""
    return [path for path in map(_package_dir, PACKAGES) if path is not None]


def code_fingerprint(roots=None):
    """One hash of every ``.py`` file under ``roots`` (default: nngrade's and nnlib's folders).

    Read afresh each time (a few dozen small files), so a long-lived process sees an edit too.
    """
    hasher = hashlib.sha256()
    for root in (roots if roots is not None else source_roots()):
        root = Path(root)
        hasher.update(root.name.encode() + b"\0")
        for path in sorted(root.rglob("*.py")):
            hasher.update(str(path.relative_to(root)).encode() + b"\0")
            hasher.update(hashlib.sha256(path.read_bytes()).digest())
    return hasher.hexdigest()


def judged_with(limits, isolate, released_dir):
    """What a verdict depends on besides the code, the source and the submission; recorded with it,
    so that ``nngrade merge`` takes each shard's verdict as it was judged."""
    import platform

    import numpy

    release = hashlib.sha256()
    folder = Path(released_dir) if released_dir else None
    if folder is not None and folder.is_dir():
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            release.update(str(path.relative_to(folder)).encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return {"limits": dataclasses.asdict(limits), "isolation": "sandbox" if isolate else "none",
            "release": release.hexdigest(), "python": platform.python_version(), "numpy": numpy.__version__}


def cache_key(code, source_bytes, submission_bytes, settings):
    hasher = hashlib.sha256()
    for part in (code.encode(), source_bytes, submission_bytes, json.dumps(settings, sort_keys=True).encode()):
        hasher.update(hashlib.sha256(part).digest())
    return hasher.hexdigest()


@dataclasses.dataclass(frozen=True)
class Shard:
    index: int
    count: int

    @classmethod
    def parse(cls, text):
        """``"K/N"`` with ``0 <= K < N`` (the index Kubernetes and Slurm arrays count from 0)."""
        try:
            index, count = (int(part) for part in str(text).split("/"))
        except ValueError:
            raise ValueError(f"shard: expected K/N such as 0/4, got {text!r}") from None
        if count < 1 or not 0 <= index < count:
            raise ValueError(f"shard: expected 0 <= K < N, got K={index}, N={count}")
        return cls(index, count)

    def holds(self, student):
        digest = hashlib.sha256(student.encode("utf-8")).digest()
        return int.from_bytes(digest[:8], "big") % self.count == self.index

    def __str__(self):
        return f"{self.index}/{self.count}"


@dataclasses.dataclass
class Task:
    """One submission and where its verdict is cached."""

    submission: object  # collect.Submission
    key: str
    cache: Path
    settings: dict  # judged_with(...) of this run
    rekey: object = None  # settings -> key, for a verdict recorded under other settings (merge)

    def load(self, recorded_settings=False):
        """The cached verdict if it was judged under the same key, else None. With
        ``recorded_settings`` (a merge), a verdict judged under the settings recorded with it counts
        too, as long as the code, the source and the submission are the same."""
        try:
            stored = json.loads(self.cache.read_text())
            valid = stored.get("key") == self.key or (
                recorded_settings and isinstance(stored.get("judged_with"), dict)
                and stored["key"] == self.rekey(stored["judged_with"]))
            if valid:
                self.key, self.settings = stored["key"], stored.get("judged_with", self.settings)
                return SubmissionResult.from_dict(stored["result"])
        except (OSError, ValueError, KeyError, TypeError):
            pass
        return None

    def save(self, result):
        temporary = self.cache.with_suffix(".tmp")
        temporary.write_text(json.dumps({"key": self.key, "student": self.submission.student,
                                         "judged_with": self.settings, "result": result.to_dict()},
                                        indent=1, sort_keys=True))
        os.replace(temporary, self.cache)


def cache_name(student):
    """``<student>.json``, or for an id too long for a file name (255 bytes with the suffix) its
    first 100 bytes and a hash of the whole (the file also holds the id itself)."""
    if len(student.encode("utf-8")) + len(".json.tmp") <= 255:
        return f"{student}.json"
    digest = hashlib.sha256(student.encode("utf-8", "surrogateescape")).hexdigest()[:24]
    return f"{student.encode('utf-8')[:100].decode('utf-8', 'ignore')}-{digest}.json"


def plan(submissions, source_bytes, settings, results_dir, force=False, shard=None, recorded_settings=False):
    """``(judged, pending)``: ``judged`` is ``[(task, cached result)]``, ``pending`` the tasks to judge.

    ``settings`` is :func:`judged_with` of this run; ``recorded_settings`` (a merge) also accepts
    verdicts judged under the settings recorded with them.
    """
    code = code_fingerprint()
    results_dir = Path(results_dir)
    results_dir.mkdir(parents=True, exist_ok=True)
    judged, pending = [], []
    for submission in submissions:
        if shard is not None and not shard.holds(submission.student):
            continue
        try:
            content = submission.path.read_bytes() if submission.path else b"<missing>"
        except OSError:  # the judge reports it as malformed; the key only has to be stable
            content = b"<unreadable>"
        def rekey(recorded, content=content):
            return cache_key(code, source_bytes, content, recorded)

        task = Task(submission, rekey(settings), results_dir / cache_name(submission.student), settings, rekey)
        cached = None if force else task.load(recorded_settings)
        if cached is not None:
            judged.append((task, cached))
        else:
            pending.append(task)
    return judged, pending
