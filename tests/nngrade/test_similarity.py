"""Copied work: disguised copies are found, independent correct answers are not (issue 16)."""

import shutil
from pathlib import Path

import pytest

from nngrade import demo, similarity
from nngrade.cli import main
from nngrade.notebook import AssignmentSpec, nbgrader_meta, read_notebook

from .similar_answers import INDEPENDENT_LOOPS, INDEPENDENT_MASKS, disguised_copy_of_masks

REPO = Path(__file__).resolve().parents[2]
SOURCE = REPO / "solutions" / "activations" / "activations.ipynb"
RELEASE = REPO / "exercises" / "activations" / "activations.ipynb"


def _with_answers(answers):
    nb = demo.solved(read_notebook(SOURCE))
    for cell in nb.cells:
        grade_id = nbgrader_meta(cell).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    return nb


def _class():
    return {"reference": demo.solved(read_notebook(SOURCE)), "masks": _with_answers(INDEPENDENT_MASKS),
            "loops": _with_answers(INDEPENDENT_LOOPS), "copier": _with_answers(disguised_copy_of_masks()),
            "nothing": read_notebook(RELEASE)}


def _codes(notebooks):
    spec = AssignmentSpec.from_notebook(read_notebook(SOURCE), "activations")
    return {s: similarity.learner_code(spec, nb) for s, nb in notebooks.items()}, \
        similarity.learner_code(spec, read_notebook(RELEASE))


def test_a_disguised_copy_is_found_and_independent_answers_are_not():
    codes, scaffold = _codes(_class())
    pairs = similarity.compare(codes, scaffold)
    assert [(p.first, p.second) for p in pairs] == [("copier", "masks")]
    assert min(pairs[0].shares) > 0.85
    # Every independent pair stays well below the threshold (the closest share formulas the
    # instructions give).
    everything = similarity.compare(codes, scaffold, threshold=0.01)
    independent = [p for p in everything if "copier" not in (p.first, p.second)]
    assert independent and max(p.similarity for p in independent) < similarity.DEFAULT_THRESHOLD - 0.15
    # The untouched release has no code of its own to compare.
    assert all("nothing" not in (p.first, p.second) for p in everything)


def test_a_copy_of_the_reference_is_found_too():
    codes, scaffold = _codes({"reference": demo.solved(read_notebook(SOURCE)),
                              "leaked": _with_answers({k: v.replace("x = np.asarray", "xx = np.asarray")
                                                       for k, v in INDEPENDENT_MASKS.items()}),
                              "masks": _with_answers(INDEPENDENT_MASKS)})
    assert [(p.first, p.second) for p in similarity.compare(codes, scaffold)] == [("leaked", "masks")]


def test_code_most_of_a_large_class_writes_alike_is_no_evidence():
    common = "def helper(values):\n    total = 0\n    for value in values:\n        total = total + value * value\n" \
             "    return total / len(values)\n"
    own = ["def relu(x):\n    return np.maximum(x, 0.0)\n", "def relu(x):\n    return np.where(x > 0, x, 0)\n",
           "def relu(x):\n    y = x.copy()\n    y[y < 0] = 0\n    return y\n", "def relu(x):\n    return x * (x > 0)\n",
           "def relu(x):\n    return (abs(x) + x) / 2\n", "def relu(x):\n    return np.clip(x, 0, None)\n",
           "def relu(x):\n    return np.fmax(x, np.zeros_like(x))\n", "def relu(x):\n    return [max(v, 0) for v in x]\n"]
    codes = {f"s{i}": common + code for i, code in enumerate(own)}
    assert similarity.compare(codes) == []
    assert len(similarity.compare(dict(list(codes.items())[:3]))) == 3  # a small class cannot tell


def test_the_threshold_is_checked():
    with pytest.raises(ValueError, match="threshold"):
        similarity.compare({}, threshold=0)


def test_the_command_lists_the_pair_side_by_side(tmp_path, capsys):
    course = tmp_path / "course"
    for folder in ("solutions", "exercises"):
        shutil.copytree(REPO / folder / "activations", course / folder / "activations")
    shutil.copy2(REPO / "nbgrader_config.py", course / "nbgrader_config.py")
    for student, nb in _class().items():
        demo.write(nb, course / "submitted" / student / "activations" / "activations.ipynb")
    assert main(["similarity", "activations", "--course-dir", str(course)]) == 0
    out = capsys.readouterr().out
    assert "5 submissions of activations compared; 1 pair(s)" in out and "copier and masks" in out
    page = (course / "reports" / "activations-similarity.html").read_text()
    assert page.count("<pre>") == 2 and "<mark>" in page and "mask_in" in page and "inside" in page
