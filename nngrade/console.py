"""Text for the instructor's terminal: what learners wrote is shown, never obeyed.

Student ids (folder names), flag details, test messages and cell errors all carry text a learner
chose. Printed raw, an escape sequence in it clears the screen, writes the clipboard (OSC 52) or
hides lines, and a newline fakes a line of the grader's own. :func:`escape` turns every control
and format character into a visible escape (``\\x1b``, ``\\n``, ``\\u202e``): every line the command
line prints goes through it (the HTML report and feedback escape for HTML instead). Escaping twice
changes nothing more.
"""

import unicodedata


_INVISIBLE = ("Cc", "Cf", "Zl", "Zp")  # controls, format characters (bidi overrides), line separators


def _visible(char):
    if char == "\t" or unicodedata.category(char) not in _INVISIBLE:
        return char
    return char.encode("unicode_escape").decode("ascii")


def escape(text, keep_newlines=False):
    """``text`` with each control or invisible format character written as a Python escape
    (newlines kept, for the grader's own multi-line messages, when ``keep_newlines``)."""
    return "\n".join("".join(map(_visible, line)) for line in str(text).split("\n")) if keep_newlines \
        else "".join(map(_visible, str(text)))
