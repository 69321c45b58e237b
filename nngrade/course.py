"""The nbgrader course directory: where sources, releases, submissions and the gradebook live."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader


class CourseError(ValueError):
    """The course directory or an assignment in it is not where it should be."""


def shipped_releases():
    """The released notebooks that come with nngrade: ``nngrade/releases/<a>/<a>.ipynb`` in an
    installed package (see pyproject.toml), or the repository's ``exercises/`` in a checkout."""
    package = Path(__file__).resolve().parent
    for folder in (package / "releases", package.parent / "exercises"):
        if folder.is_dir() and any(folder.glob("*/*.ipynb")):
            return folder
    return None


def find_release(assignment):
    """The shipped released notebook of ``assignment``; CourseError naming the valid names if none."""
    folder = shipped_releases()
    if folder is not None and (folder / assignment / f"{assignment}.ipynb").is_file():
        return folder / assignment / f"{assignment}.ipynb"
    names = sorted(p.parent.name for p in folder.glob("*/*.ipynb")) if folder else []
    raise CourseError(f"assignment: no released notebook named {assignment!r} comes with nngrade "
                      f"(valid names: {', '.join(names) or 'none installed'}); pass --assignment NAME, "
                      "--release PATH or --course-dir DIR")


class Course:
    def __init__(self, root):
        self.root = Path(root).resolve()
        # nbgrader's gradebook runs `alembic` by name: make the running Python's scripts findable.
        bin_dir = str(Path(sys.executable).parent)
        if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
            os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
        if not self.root.is_dir():
            raise CourseError(f"course_dir: {self.root} is not a folder")
        config_file = self.root / "nbgrader_config.py"
        self.config = Config()
        if config_file.exists():
            self.config = PyFileConfigLoader(config_file.name, path=str(self.root)).load_config()
        directory = self.config.CourseDirectory
        self.source_directory = directory.get("source_directory", "source")
        self.release_directory = directory.get("release_directory", "release")
        self.submitted_directory = directory.get("submitted_directory", "submitted")
        self.autograded_directory = directory.get("autograded_directory", "autograded")
        self.db_url = directory.get("db_url", f"sqlite:///{self.root / 'gradebook.db'}")

    def source_notebook(self, assignment):
        folder = self.root / self.source_directory / assignment
        candidates = sorted(folder.glob("*.ipynb"))
        if not candidates:
            raise CourseError(
                f"assignment: no source notebook for {assignment!r} in {folder} "
                f"(expected {self.source_directory}/{assignment}/{assignment}.ipynb)"
            )
        preferred = folder / f"{assignment}.ipynb"
        return preferred if preferred.exists() else candidates[0]

    def released_dir(self, assignment):
        return self.root / self.release_directory / assignment

    def submitted_dir(self):
        return self.root / self.submitted_directory

    def autograded_path(self, student, assignment, notebook_name):
        return self.root / self.autograded_directory / student / assignment / f"{notebook_name}.ipynb"

    def results_dir(self, assignment):
        return self.root / "nngrade-results" / assignment

    def report_path(self, assignment):
        return self.root / "reports" / f"{assignment}.html"

    def watched_paths(self):
        """Strings that, in a path learner code tries to open, show it reaching for grading files."""
        return [str(self.root), self.source_directory + "/", "gradebook", "autograded/", "submitted/"]

    def run_nbgrader(self, *args):
        """Run an nbgrader command in the course directory; returns the completed process."""
        bin_dir = str(Path(sys.executable).parent)
        env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ.get("PATH", ""))
        nbgrader = shutil.which("nbgrader", path=env["PATH"]) or "nbgrader"
        return subprocess.run([nbgrader, *args], cwd=self.root, env=env, capture_output=True, text=True)
