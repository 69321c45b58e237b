"""nngrade: check a learner's notebook, and grade a class safely.

The learner's code runs in a sandboxed process; the tests run in the grader's own process and only
exchange plain data with it. See ``docs/instructors/grading.md``.
"""

