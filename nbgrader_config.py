"""nbgrader settings: the repository root is the course directory.

Sources (solutions and hidden tests) live in ``solutions/<assignment>/<assignment>.ipynb``; the learner
notebooks in ``exercises/`` are generated from them with ``nbgrader generate_assignment <assignment>
--no-db --force`` and committed. Grading work folders (submitted/, autograded/, feedback/) and the
gradebook are never committed: grade in a separate course folder or rely on .gitignore.
"""

from nngrade.versioning import record_releases

c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)

c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"

# Each released notebook records its release id (a hash of what the grader tests), so that
# `nngrade check` can tell a learner whose copy, or installed tests, are out of date.
record_releases(c)

# Training cells (keras_training, capstone) take a few seconds; leave room on a slow or busy machine,
# where starting a kernel can also take longer than nbclient's default minute.
c.Execute.timeout = 300
c.Execute.startup_timeout = 180

# Learners see this where an answer goes.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
