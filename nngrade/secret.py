"""The course's secret: where the data of the hidden tests come from.

Hidden tests that need data a learner cannot look up (secretly rescaled digits, a fresh loan data set)
draw them from :func:`hidden_rng`, never from ``os.urandom``: the same secret gives the same data, so
a regrade, a shard, a retried submission and ``nngrade merge`` all see exactly what the first run saw
and give the same grade.

The secret is 32 random bytes created once per course (``<course>/.nngrade-secret``, readable by its
owner only, kept out of git and out of every released file). The grader puts it in its own
environment as ``NNGRADE_SECRET`` before it runs any test cell; the learner's sandbox gets an
environment of its own without it, and the file is outside everything the sandbox can see. Each test
gets its own stream: HMAC-SHA256 of the secret over ``"<assignment>/<name>"``, so knowing one test's
data says nothing about another's.

To run hidden tests in plain ``nbgrader autograde`` instead of ``nngrade grade``, export the variable
first: ``export NNGRADE_SECRET=$(cat .nngrade-secret)``.
"""

import hashlib
import hmac
import os
import secrets
from pathlib import Path

ENV = "NNGRADE_SECRET"
FILE_NAME = ".nngrade-secret"


class SecretMissing(RuntimeError):
    """The hidden tests need the course's secret and it is not in the environment."""


def load(course_root, create=True):
    """The course's secret as hex, read from ``<course_root>/.nngrade-secret`` (created if missing)."""
    path = Path(course_root, FILE_NAME)
    if not path.exists():
        if not create:
            raise SecretMissing(f"no course secret at {path}")
        # O_EXCL: two graders starting at once create it once; the loser reads the winner's.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as file:
                file.write(secrets.token_hex(32) + "\n")
    text = path.read_text().strip()
    try:
        if len(bytes.fromhex(text)) < 16:
            raise ValueError
    except ValueError:
        raise SecretMissing(f"{path} does not hold a secret of at least 16 bytes written as hex") from None
    return text


def install(course_root):
    """Load the course's secret into this process's environment (the grader's, never the sandbox's)."""
    os.environ[ENV] = load(course_root)


def seed_for(assignment):
    """The seed of the learner's process for ``assignment`` (and of the grader's own generators
    while it runs the tests): derived from the secret when it is set, so nobody can predict it."""
    key = bytes.fromhex(os.environ.get(ENV, "").strip() or "00")
    digest = hmac.new(key, f"seed/{assignment}".encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "little")


def hidden_rng(assignment, name):
    """A NumPy generator for the hidden data of one test, the same every time the course grades it.

    >>> os.environ[ENV] = "00" * 32
    >>> float(hidden_rng("capstone", "fresh").uniform()) == float(hidden_rng("capstone", "fresh").uniform())
    True
    >>> float(hidden_rng("capstone", "fresh").uniform()) == float(hidden_rng("capstone", "other").uniform())
    False
    >>> del os.environ[ENV]
    """
    import numpy as np

    text = os.environ.get(ENV, "").strip()
    if not text:
        raise SecretMissing(
            f"the hidden tests draw their data from the course's secret, and {ENV} is not set: grade "
            f"with `nngrade grade`, or `export {ENV}=$(cat {FILE_NAME})` in the course folder first")
    digest = hmac.new(bytes.fromhex(text), f"{assignment}/{name}".encode(), hashlib.sha256).digest()
    return np.random.default_rng(int.from_bytes(digest, "little"))
