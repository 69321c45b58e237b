"""What the site publishes under downloads/ so that a learner needs nothing but the site.

- **The nnlib wheel** (`nnlib-<version>-py3-none-any.whl`), built from the project's current sources by
  setuptools, the project's own build backend. It is built in a scratch copy of the sources (so the
  tree gets no build/ or egg-info folders) and kept in `.cache/wheel/<hash of the sources>/`: an
  unchanged nnlib is never rebuilt.
- **The course bundle** (`how-neural-networks-work.zip`), for a classroom without internet: the wheel,
  every exercise and chapter notebook, and a README saying how to install and start. Its bytes depend
  only on its contents (fixed timestamps), so rebuilding the site does not change it.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from pathlib import Path

WHEEL_SOURCES = ("pyproject.toml", "README.md", "nnlib", "nngrade", "exercises")  # exercises: nngrade.releases
WHEEL_CACHE = Path(".cache/wheel")
DOWNLOADS = "downloads"
BUNDLE_NAME = "how-neural-networks-work.zip"
BUNDLE_FOLDER = "how-neural-networks-work"
ZIP_TIMESTAMP = (2026, 1, 1, 0, 0, 0)


class DownloadError(Exception):
    pass


def project_version(root: Path) -> tuple[str, str]:
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return project["name"], project["version"]


def wheel_name(root: Path) -> str:
    name, version = project_version(root)
    return f"{name}-{version}-py3-none-any.whl"


def _source_files(root: Path) -> list[Path]:
    files = []
    for name in WHEEL_SOURCES:
        path = root / name
        if path.is_dir():
            files += [p for p in sorted(path.rglob("*")) if p.is_file() and "__pycache__" not in p.parts]
        elif path.is_file():
            files.append(path)
    return files


def _sources_hash(root: Path) -> str:
    hasher = hashlib.sha256()
    for path in _source_files(root):
        hasher.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return hasher.hexdigest()[:16]


def build_wheel(root: Path) -> Path:
    """The wheel of the project's current sources (built once per version of them)."""
    folder = root / WHEEL_CACHE / _sources_hash(root)
    wheel = folder / wheel_name(root)
    if wheel.is_file():
        return wheel
    with tempfile.TemporaryDirectory(prefix="nnlib-wheel-") as scratch:
        for path in _source_files(root):
            target = Path(scratch) / path.relative_to(root)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
        out = Path(scratch) / "dist"
        # The build backend itself (no pip, no isolated environment): offline and a second or two.
        process = subprocess.run(
            [sys.executable, "-c", "import sys, setuptools.build_meta as b; print(b.build_wheel(sys.argv[1]))", str(out)],
            cwd=scratch, capture_output=True, text=True, stdin=subprocess.DEVNULL,
        )
        built = out / process.stdout.strip().splitlines()[-1] if process.returncode == 0 else None
        if built is None or not built.is_file():
            raise DownloadError(
                "Building the nnlib wheel for the site failed (setuptools, from the `site` extra, must be "
                "installed):\n" + (process.stdout + process.stderr)[-3000:]
            )
        if built.name != wheel.name:
            raise DownloadError(f"setuptools built {built.name}, expected {wheel.name}")
        if folder.parent.is_dir():  # wheels of earlier sources can never be used again
            shutil.rmtree(folder.parent, ignore_errors=True)
        folder.mkdir(parents=True)
        shutil.copy2(built, wheel)
    return wheel


BUNDLE_README = """\
How Neural Networks Work: the course bundle
===========================================

This folder holds everything the course's site offers as downloads:

  {wheel}   nnlib, the course's library, and nngrade, which checks an exercise
  exercises/   the exercise notebooks you work on
  chapters/    every chapter as a notebook, to run and change

Install (Python 3.12 or later), in a terminal opened in this folder:

  Linux and macOS                          Windows
    python3 -m venv nn-course                py -3.12 -m venv nn-course
    source nn-course/bin/activate            nn-course\\Scripts\\activate
    python -m pip install "{wheel}[learner]"   (same command)

pip fetches nnlib's own dependencies (NumPy, JupyterLab, matplotlib, ...) from a package index. Without
internet, an instructor downloads them once on a connected machine:
  python -m pip download -d wheels "{wheel}[learner]"
and learners install with:
  python -m pip install --no-index --find-links wheels "{wheel}[learner]"

Then start JupyterLab and open an exercise:
  jupyter lab exercises/
Check an exercise the way the grader will (one line per part; exit status 1 while a part fails):
  nngrade check exercises/perceptron.ipynb

The site's "Set up" page explains each step.
"""


def build_bundle(wheel: Path, exercises: list[Path], chapters: list[Path]) -> bytes:
    """The course bundle zip, as bytes (fixed timestamps: same contents, same bytes)."""
    entries = {f"{BUNDLE_FOLDER}/README.txt": BUNDLE_README.format(wheel=wheel.name).encode()}
    entries[f"{BUNDLE_FOLDER}/{wheel.name}"] = wheel.read_bytes()
    for folder, notebooks in (("exercises", exercises), ("chapters", chapters)):
        for notebook in notebooks:
            entries[f"{BUNDLE_FOLDER}/{folder}/{notebook.name}"] = notebook.read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name, date_time=ZIP_TIMESTAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            bundle.writestr(info, data)
    return buffer.getvalue()
