"""What grading one submission produced: typed, built once by the judge, read by everyone else.

A :class:`SubmissionResult` holds one :class:`TestResult` per test cell of the source, the
:class:`Flag` s raised while collecting or judging, the errors of learner cells, how often the
learner's process was restarted and how well it was isolated. Whether the submission was graded
*completely* is derived from its flags, never stored separately, so it cannot disagree with them.
``to_dict`` / ``from_dict`` are the JSON form kept in the results cache
(``nngrade-results/<assignment>/<student>.json``).
"""

import dataclasses

# Flags that mean some points may be missing for a reason other than the learner's answers.
INCOMPLETE = ("missing", "malformed", "crash", "timeout", "environment", "not-recorded")


@dataclasses.dataclass
class TestResult:
    __test__ = False  # not a pytest test class, despite its name

    grade_id: str
    max_points: float
    points: float
    passed: bool
    message: str = ""

    @classmethod
    def of(cls, test, passed, message=""):
        """The verdict on a source test cell (``notebook.TestCell``): all its points or none."""
        return cls(test.grade_id, test.points, test.points if passed else 0.0, passed, message)


@dataclasses.dataclass
class Flag:
    kind: str  # e.g. "tampering", "crash", "environment", "renamed" (see docs/instructors/grading.md)
    where: str
    detail: str


@dataclasses.dataclass
class CellError:
    cell: str  # "cell 5": the 5th cell of the submitted notebook (notebook.cell_label)
    error: str


@dataclasses.dataclass
class SubmissionResult:
    tests: list = dataclasses.field(default_factory=list)  # of TestResult, in the source's order
    flags: list = dataclasses.field(default_factory=list)  # of Flag, in the order noticed
    cell_errors: list = dataclasses.field(default_factory=list)  # of CellError
    restarts: int = 0
    isolation: str | None = None  # "full", "limits", "none"; None when nothing ran
    # The grader itself failed (a bug, a lost worker): report it, record nothing, judge again next run.
    # Never stored in the cache.
    grader_failed: bool = dataclasses.field(default=False, compare=False)

    @property
    def complete(self):
        return not any(flag.kind in INCOMPLETE for flag in self.flags)

    @property
    def score(self):
        return sum(test.points for test in self.tests)

    @property
    def max_score(self):
        return sum(test.max_points for test in self.tests)

    def flag(self, kind, where, detail, first=False):
        """Add a flag once (the same flag noticed twice is one flag)."""
        entry = Flag(kind, str(where), str(detail))
        if entry not in self.flags:
            self.flags.insert(0, entry) if first else self.flags.append(entry)

    def kinds(self):
        return sorted({flag.kind for flag in self.flags})

    @classmethod
    def empty(cls, spec, reason, kind, grader_failed=False):
        """The result for a submission with nothing to run: every test scores 0 with ``reason``."""
        return cls(tests=[TestResult.of(test, False, f"not graded: {reason}") for test in spec.tests],
                   flags=[Flag(kind, "notebook", reason)], grader_failed=grader_failed)

    def to_dict(self):
        data = dataclasses.asdict(self)
        del data["grader_failed"]
        data["complete"] = self.complete  # for readers of the JSON file; recomputed when loaded
        return data

    @classmethod
    def from_dict(cls, data):
        return cls(tests=[TestResult(**item) for item in data["tests"]],
                   flags=[Flag(**item) for item in data["flags"]],
                   cell_errors=[CellError(**item) for item in data["cell_errors"]],
                   restarts=int(data["restarts"]), isolation=data["isolation"])
