"""Which release of an assignment a notebook comes from, and which the installed tests are.

A learner keeps a notebook for weeks and installs the course's wheel once; the course re-releases an
assignment when its tests change. ``nngrade check`` must then say which copy is stale, so:

- An assignment's **release id** is a short hash of what the grader tests in it: the set-up cells,
  each test cell as released (grade id, points, text without the hidden block) and the written
  answers' points. Prose, answer stubs and hidden tests are not in it, so a source notebook and the
  release made from it have the same id, and an edit that changes no test changes no id.
- ``nbgrader generate_assignment`` writes the id into each released notebook's metadata
  (:func:`record_releases`, called in ``nbgrader_config.py``), so a learner's copy carries it.
- ``versions.json`` beside this module is the manifest of every version of the wheel with the release
  ids of the tests it ships (``nngrade.releases``), oldest first. A test fails when the released
  material no longer matches the newest entry; ``python -m nngrade.versioning bump`` then raises the
  wheel's version in ``pyproject.toml`` and records the new ids, so a learner's ``pip install`` of
  the new wheel replaces the old tests.
"""

import hashlib
import json
import re
import sys
from pathlib import Path

from .notebook import AssignmentSpec, _normalise, read_notebook

MANIFEST = Path(__file__).with_name("versions.json")
ROOT = Path(__file__).resolve().parents[1]  # the repository, when nngrade runs from a clone
METADATA_KEY = "nngrade"  # notebook metadata: {"nngrade": {"release": "<id>"}}
BUMP_COMMAND = "python -m nngrade.versioning bump"


def release_id(nb):
    """The short hash of what the grader tests in ``nb`` (a source or a released notebook)."""
    return spec_release_id(AssignmentSpec.from_notebook(nb, ""))


def spec_release_id(spec):
    """:func:`release_id` of the notebook ``spec`` was read from."""
    graded = {
        "setup": [[grade_id, _normalise(source)] for grade_id, source in spec.instructor_cells],
        "tests": [[test.grade_id, test.points, _normalise(test.released)] for test in spec.tests],
        "written": spec.manual_points,
    }
    return hashlib.sha256(json.dumps(graded, sort_keys=True).encode()).hexdigest()[:12]


def recorded_release(nb):
    """The release id a notebook's metadata records, or None (a copy from before ids were recorded)."""
    meta = nb.get("metadata", {}).get(METADATA_KEY, {})
    value = meta.get("release") if isinstance(meta, dict) else None
    return value if isinstance(value, str) else None


def record_releases(config):
    """In ``nbgrader_config.py``: ``record_releases(c)`` makes ``nbgrader generate_assignment`` write
    each release's id into its metadata, as a last step after nbgrader's own."""
    from nbgrader.converters import GenerateAssignment  # the instructor's tool: learners need not have it
    from nbgrader.preprocessors import NbGraderPreprocessor

    class RecordRelease(NbGraderPreprocessor):
        def preprocess(self, nb, resources):
            nb.metadata[METADATA_KEY] = {"release": release_id(nb)}
            return nb, resources

    steps = GenerateAssignment.class_traits()["preprocessors"].default()
    config.GenerateAssignment.preprocessors = [*steps, RecordRelease]


# The manifest --------------------------------------------------------------------------------------

def read_manifest(path=MANIFEST):
    """``[{"version": ..., "releases": {assignment: id}}, ...]``, oldest first."""
    return json.loads(Path(path).read_text(encoding="utf-8"))["versions"]


def current_releases(releases_dir):
    """``{assignment: release id}`` of every ``<a>/<a>.ipynb`` under ``releases_dir``."""
    return {path.parent.name: release_id(read_notebook(path))
            for path in sorted(Path(releases_dir).glob("*/*.ipynb")) if path.stem == path.parent.name}


def stale_message(assignment, nb, tests_nb, shipped, versions=None):
    """What ``nngrade check`` tells a learner whose notebook ``nb`` and tests ``tests_nb`` come from
    different releases, or None when they agree.

    ``shipped``: the tests are those installed with nngrade. The manifest (``versions``) tells which
    side is older: the id of an earlier version means the notebook is an old copy, an id no version
    has means the installed tests are the old ones. A copy that records no id (downloaded before ids
    were recorded) is compared by its own test cells.
    """
    recorded = recorded_release(nb)
    notebook_id, tests_id = recorded or release_id(nb), release_id(tests_nb)
    if notebook_id == tests_id:
        return None
    versions = read_manifest() if versions is None else versions
    installed = versions[-1]["version"]
    older = [v["version"] for v in versions[:-1] if v["releases"].get(assignment) == notebook_id]
    what = (f"this notebook comes from release {notebook_id} of {assignment}" if recorded else
            f"this notebook records no release, and its test cells are not those of release {tests_id}")
    if not shipped:
        return (f"{what}; the tests you check against are release {tests_id}. Check against the release the "
                "notebook came from, or download the notebook again.")
    if older or not recorded:
        since = f" (nnlib {older[-1]})" if older else ""
        return (f"{what}{since}; the tests installed with nngrade are release {tests_id} (nnlib {installed}). "
                "Your copy is out of date: download the notebook again from the course site, copy your "
                "answers into it and check again.")
    return (f"{what}, which the tests installed with nngrade (nnlib {installed}, release {tests_id}) do not "
            "know: they are out of date. Install the new wheel as the course site's Set up page says "
            "(download it, then pip install it into your environment) and check again.")


# Bumping the version ------------------------------------------------------------------------------

_VERSION_LINE = re.compile(r'^version = "([^"]+)"$', re.M)
# nnlib.__version__ repeats the wheel's version (read at import without importlib.metadata, which
# would cost every sandboxed submission its import); bump writes both, and a test compares them.
_INIT_VERSION_LINE = re.compile(r'^__version__ = "([^"]+)"$', re.M)


def project_version(pyproject):
    return _VERSION_LINE.search(Path(pyproject).read_text(encoding="utf-8")).group(1)


def next_version(version):
    """A re-release raises the minor version: 0.2.0 -> 0.3.0."""
    major, minor, *_ = (int(part) for part in version.split("."))
    return f"{major}.{minor + 1}.0"


def unrecorded_changes(root=ROOT, manifest=MANIFEST):
    """Why the wheel's version no longer describes the released material under ``root``, or None."""
    root = Path(root)
    newest = read_manifest(manifest)[-1]
    releases, version = current_releases(root / "exercises"), project_version(root / "pyproject.toml")
    changed = sorted(a for a in releases.keys() | newest["releases"].keys()
                     if releases.get(a) != newest["releases"].get(a))
    if changed:
        return (f"the tests of {', '.join(changed)} changed since version {newest['version']} was recorded, "
                f"and the wheel's version was not raised: run `{BUMP_COMMAND}`")
    init = root / "nnlib" / "__init__.py"
    if init.is_file() and _INIT_VERSION_LINE.search(init.read_text(encoding="utf-8")).group(1) != version:
        return f"nnlib/__init__.py's __version__ differs from pyproject.toml's version {version}: run `{BUMP_COMMAND}`"
    if version != newest["version"]:
        return (f"pyproject.toml says version {version}, {Path(manifest).name} records {newest['version']} "
                f"as the newest: run `{BUMP_COMMAND}`")
    return None


def bump(root=ROOT, manifest=MANIFEST):
    """Make the manifest's newest entry describe ``root``: when the releases under ``root/exercises``
    changed, raise the minor version in ``root/pyproject.toml`` and record the new ids (a version
    raised there by hand, say for a change to nnlib, is recorded as it is). Returns the version."""
    pyproject = Path(root) / "pyproject.toml"
    versions = read_manifest(manifest)
    newest, releases, version = versions[-1], current_releases(Path(root) / "exercises"), project_version(pyproject)
    if _order(version) <= _order(newest["version"]):
        if releases == newest["releases"]:
            version = newest["version"]
        else:
            version = next_version(newest["version"])
    if version != project_version(pyproject):
        text = pyproject.read_text(encoding="utf-8")
        pyproject.write_text(_VERSION_LINE.sub(f'version = "{version}"', text, count=1), encoding="utf-8")
    init = Path(root) / "nnlib" / "__init__.py"
    if init.is_file():
        text = init.read_text(encoding="utf-8")
        init.write_text(_INIT_VERSION_LINE.sub(f'__version__ = "{version}"', text, count=1), encoding="utf-8")
    if version != newest["version"]:
        write_manifest([*versions, {"version": version, "releases": releases}], manifest)
    return version


def _order(version):
    return tuple(int(part) for part in version.split("."))


def write_manifest(versions, path=MANIFEST):
    text = json.dumps({"about": "Release ids of the tests each version of the wheel ships, oldest first; "
                                f"written by `{BUMP_COMMAND}` (nngrade/versioning.py).",
                       "versions": versions}, indent=2)
    Path(path).write_text(text + "\n", encoding="utf-8")


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv != ["bump"]:
        print(f"usage: {BUMP_COMMAND}", file=sys.stderr)
        return 2
    if not (ROOT / "pyproject.toml").is_file():
        print(f"error: {BUMP_COMMAND} works in a clone of the course's repository (nngrade installed from "
              "it with pip install -e), not in an installed wheel", file=sys.stderr)
        return 2
    before = read_manifest()[-1]["version"]
    after = bump()
    print(f"released material unchanged: version stays {after}" if after == before
          else f"version {before} -> {after}: pyproject.toml and {MANIFEST.name} updated; commit both, "
               "then rebuild and republish the site")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
