"""The progress bar that ``fit(verbose=1)`` draws, in Keras 3's format.

One epoch looks like::

    Epoch 2/5
    32/32 ━━━━━━━━━━━━━━━━━━━━ 0s 2ms/step - accuracy: 0.9125 - loss: 0.2718

On a terminal the line is redrawn in place (``\\r``) as batches finish, with Keras's colours; in a
notebook, a file or a pipe only the finished line of each epoch is printed, so saved outputs stay
short. ``verbose=2`` prints one line per epoch without the bar: ``32/32 - 0s - 2ms/step - loss: ...``.

Examples
--------
>>> import io
>>> out = io.StringIO()
>>> bar = ProgressBar(target=4, verbose=1, stream=out)
>>> bar.update(4, {"loss": 0.25}, now=bar.start + 0.008)
>>> out.getvalue()
'4/4 ━━━━━━━━━━━━━━━━━━━━ 0s 2ms/step - loss: 0.2500\\n'
"""

import math
import sys
import time

__all__ = ["ProgressBar", "format_value", "format_step_time"]

_BAR_WIDTH = 20
_BOLD, _GREEN, _WHITE, _RESET = "\x1b[1m", "\x1b[32m", "\x1b[37m", "\x1b[0m"


def format_value(value):
    """Four decimals, or scientific notation for tiny values, as Keras prints metrics.

    >>> format_value(0.5), format_value(0.00012)
    ('0.5000', '1.2000e-04')
    """
    return f"{value:.4f}" if abs(value) > 1e-3 else f"{value:.4e}"


def format_step_time(seconds):
    """``1s/step``, ``12ms/step`` or ``850us/step``."""
    if seconds >= 1 or seconds == 0:
        return f"{seconds:.0f}s/step"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/step"
    return f"{seconds * 1e6:.0f}us/step"


class ProgressBar:
    """Draw the progress of one epoch (``target`` batches).

    Parameters
    ----------
    target : int
        Number of batches in the epoch.
    verbose : int
        1: bar (live on a terminal, final line elsewhere); 2: one line per epoch; 0: nothing.
    stream : file-like, optional
        Where to write; ``sys.stdout`` by default (looked up when the bar is created, so that
        notebooks and pytest's capture see the output).
    live : bool, optional
        Redraw in place; by default only when ``stream`` is a terminal.
    """

    def __init__(self, target, verbose=1, stream=None, live=None):
        self.target = int(target)
        self.verbose = verbose
        self.stream = sys.stdout if stream is None else stream
        if live is None:
            isatty = getattr(self.stream, "isatty", None)
            live = bool(isatty and isatty())
        self.live = live
        self.start = time.perf_counter()
        self._first_step_done = None
        self._last_draw = 0.0
        self._previous_width = 0

    def _time_per_step(self, current, now):
        # As Keras: the first step (often slower) is left out once there are more.
        if current <= 0:
            return 0.0
        if self._first_step_done is None:
            self._first_step_done = now
            return (now - self.start) / current
        if current > 1:
            return (now - self._first_step_done) / (current - 1)
        return (now - self.start) / current

    def update(self, current, values=None, now=None):
        """Report that ``current`` batches are done; ``values`` maps names to running means."""
        if self.verbose == 0:
            return
        now = time.perf_counter() if now is None else now
        finished = current >= self.target
        if self.verbose == 2 or not self.live:
            self._time_per_step(current, now)
            if finished:
                self._write_final(current, values, now)
            return
        per_step = self._time_per_step(current, now)
        if not finished and now - self._last_draw < 0.05:
            return  # a terminal redraw every 50 ms is plenty
        self._last_draw = now
        digits = int(math.log10(max(self.target, 1))) + 1
        count = f"{current:{digits}d}/{self.target}"
        filled = int(_BAR_WIDTH * current / max(self.target, 1))
        bar = f"{_GREEN}{'━' * filled}{_RESET}{_WHITE}{'━' * (_BAR_WIDTH - filled)}{_RESET}"
        if finished:
            clock = f"{now - self.start:.0f}s"
        else:
            eta = per_step * (self.target - current)
            clock = f"{eta:.0f}s" if eta < 60 else f"{int(eta // 60)}:{int(eta % 60):02d}"
        text = f"{count} {bar} {_BOLD}{clock}{_RESET} {format_step_time(per_step)}"
        text += self._metrics(values)
        width = len(text) - len(bar) + _BAR_WIDTH - len(_BOLD) - len(_RESET)
        padding = " " * max(self._previous_width - width, 0)
        self._previous_width = width
        self.stream.write("\r" + text + padding + ("\n" if finished else ""))
        self.stream.flush()

    def _write_final(self, current, values, now):
        digits = int(math.log10(max(self.target, 1))) + 1
        count = f"{current:{digits}d}/{self.target}"
        per_step = format_step_time((now - self.start) / max(current, 1))
        elapsed = f"{now - self.start:.0f}s"
        if self.verbose == 2:
            line = f"{count} - {elapsed} - {per_step}"
        else:
            line = f"{count} {'━' * _BAR_WIDTH} {elapsed} {per_step}"
        self.stream.write(line + self._metrics(values) + "\n")
        self.stream.flush()

    @staticmethod
    def _metrics(values):
        if not values:
            return ""
        return "".join(f" - {name}: {format_value(value)}" for name, value in values.items())
