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

__all__ = ["ProgressBar", "Progbar", "format_value", "format_step_time"]

_BAR_WIDTH = 20
_BOLD, _GREEN, _WHITE, _RESET = "\x1b[1m", "\x1b[32m", "\x1b[37m", "\x1b[0m"


def format_value(value):
    """Four decimals, or scientific notation for tiny values, as Keras prints metrics.

    >>> format_value(0.5), format_value(0.00012)
    ('0.5000', '1.2000e-04')
    """
    return f"{value:.4f}" if abs(value) > 1e-3 else f"{value:.4e}"


def format_step_time(seconds, unit="step"):
    """``1s/step``, ``12ms/step`` or ``850us/step``."""
    if seconds >= 1 or seconds == 0:
        return f"{seconds:.0f}s/{unit}"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/{unit}"
    return f"{seconds * 1e6:.0f}us/{unit}"


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
    width, interval, unit_name
        The bar's length in characters, the least time in seconds between two redraws, and
        the name of a step (Keras's ``Progbar`` options).
    """

    def __init__(self, target, verbose=1, stream=None, live=None, width=_BAR_WIDTH,
                 interval=0.05, unit_name="step"):
        self.target = int(target)
        self.verbose = verbose
        self.width, self.interval, self.unit_name = width, interval, unit_name
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

    def update(self, current, values=None, now=None, finalize=None):
        """Report that ``current`` batches are done; ``values`` maps names to running means.
        The line is finished when ``current`` reaches the target, or when ``finalize``."""
        if self.verbose == 0:
            return
        now = time.perf_counter() if now is None else now
        finished = current >= self.target if finalize is None else finalize
        if self.verbose == 2 or not self.live:
            self._time_per_step(current, now)
            if finished:
                self._write_final(current, values, now)
            return
        per_step = self._time_per_step(current, now)
        if not finished and now - self._last_draw < self.interval:
            return  # a terminal redraw every 50 ms is plenty
        self._last_draw = now
        digits = int(math.log10(max(self.target, 1))) + 1
        count = f"{current:{digits}d}/{self.target}"
        filled = int(self.width * current / max(self.target, 1))
        bar = f"{_GREEN}{'━' * filled}{_RESET}{_WHITE}{'━' * (self.width - filled)}{_RESET}"
        if finished:
            clock = f"{now - self.start:.0f}s"
        else:
            eta = per_step * (self.target - current)
            clock = f"{eta:.0f}s" if eta < 60 else f"{int(eta // 60)}:{int(eta % 60):02d}"
        text = f"{count} {bar} {_BOLD}{clock}{_RESET} "
        text += format_step_time(per_step, self.unit_name) + self._metrics(values)
        width = len(text) - len(bar) + self.width - len(_BOLD) - len(_RESET)
        padding = " " * max(self._previous_width - width, 0)
        self._previous_width = width
        self.stream.write("\r" + text + padding + ("\n" if finished else ""))
        self.stream.flush()

    def _write_final(self, current, values, now):
        digits = int(math.log10(max(self.target, 1))) + 1
        count = f"{current:{digits}d}/{self.target}"
        per_step = format_step_time((now - self.start) / max(current, 1), self.unit_name)
        elapsed = f"{now - self.start:.0f}s"
        if self.verbose == 2:
            line = f"{count} - {elapsed} - {per_step}"
        else:
            line = f"{count} {'━' * self.width} {elapsed} {per_step}"
        self.stream.write(line + self._metrics(values) + "\n")
        self.stream.flush()

    @staticmethod
    def _metrics(values):
        if not values:
            return ""
        return "".join(f" - {name}: {format_value(value)}" for name, value in values.items())


class Progbar:
    """``keras.utils.Progbar``: a progress bar for a loop of ``target`` steps, drawn by
    :class:`ProgressBar` in Keras's format.

    ``update(current, values)`` reports the steps done and ``(name, value)`` pairs; ``add(n,
    values)`` reports ``n`` more steps. As Keras shows them, a value is averaged over the steps
    it was reported for (weighted by how many steps each report covers), except the names in
    ``stateful_metrics`` (shown as reported); listing ``stateless_metrics`` instead averages
    only those. The finishing update shows the values it was given. Like Keras on a POSIX
    system, the line is redrawn in place.

    >>> bar = Progbar(4, verbose=2)  # verbose=2 writes once, when the 4 steps are done
    >>> bar.update(1, [("loss", 1.0)]); bar.add(2, [("loss", 0.25)])
    >>> bar.mean("loss")  # (1.0 * 1 + 0.25 * 2) / 3
    0.5
    """

    def __init__(self, target, width=20, verbose=1, interval=0.05, stateful_metrics=None,
                 stateless_metrics=None, unit_name="step"):
        if stateful_metrics is not None and stateless_metrics is not None:
            raise ValueError("Progbar: give stateful_metrics (averaged unless listed) or "
                             "stateless_metrics (averaged only if listed), not both.")
        if isinstance(target, bool) or not isinstance(target, int) or target < 1:
            raise ValueError(f"Progbar: target must be the number of steps, an int >= 1 (nnlib's "
                             f"bar draws known lengths only); received {target!r}.")
        self.target = target
        self.stateful_metrics = None if stateless_metrics is not None else set(
            stateful_metrics or ())
        self.stateless_metrics = None if stateless_metrics is None else set(stateless_metrics)
        self._values = {}  # name -> [weighted sum, steps], in the order first reported
        self._seen_so_far = 0
        self._bar = ProgressBar(target, verbose, live=True, width=width, interval=interval,
                                unit_name=unit_name)

    def _averaged(self, name):
        if self.stateful_metrics is not None:
            return name not in self.stateful_metrics
        return name in self.stateless_metrics

    def mean(self, name):
        """The value shown for `name`: its weighted mean (or last value, if not averaged)."""
        total, steps = self._values[name]
        return total / max(1, steps)

    def update(self, current, values=None, finalize=None):
        finalize = current >= self.target if finalize is None else finalize
        for name, value in values or []:
            steps = max(current - self._seen_so_far, 1)
            if self._averaged(name) and not finalize and name in self._values:
                self._values[name][0] += value * steps
                self._values[name][1] += steps
            elif self._averaged(name) and not finalize:
                self._values[name] = [value * steps, steps]
            else:
                self._values[name] = [value, 1]
        self._seen_so_far = current
        self._bar.update(current, {name: self.mean(name) for name in self._values},
                         finalize=finalize)

    def add(self, n, values=None):
        self.update(self._seen_so_far + n, values)
