"""``model.summary()``: the layers, their output shapes and parameter counts, as Keras prints them.

::

    Model: "sequential"
    ┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
    ┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
    ┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
    │ dense (Dense)                   │ (None, 8)              │            40 │
    └─────────────────────────────────┴────────────────────────┴───────────────┘
     Total params: 40 (160.00 B)
     Trainable params: 40 (160.00 B)
     Non-trainable params: 0 (0.00 B)

A Dense layer of $m$ inputs and $u$ units has $m u + u$ parameters (kernel and bias). Frozen layers'
weights and statistics such as a Normalization's mean count as non-trainable. After training, an
``Optimizer params`` line counts the optimizer's own state, as Keras: its step counter and learning
rate (none for a schedule, which computes it from the step), plus one array per weight for momentum
(SGD with momentum), two for Adam ($m$ and $v$), one for Adagrad's sum of squares, and for RMSprop
one (the mean square) plus one for momentum and one for the centered mean: the state each
optimizer saves (``Optimizer.keras_variables``), counted once. Keras's counterpart is
``keras.src.utils.summary_utils``.
"""


__all__ = ["print_summary", "readable_size"]


def readable_size(n_bytes):
    """Keras's memory size: ``160.00 B``, ``1.50 KB``, ... (powers of 1024)."""
    size = float(n_bytes)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size < 1024 or unit == "TB":
            return f"{size:.2f} {unit}"
        size /= 1024


def _size(arrays):
    return sum(a.size for a in arrays), sum(a.nbytes for a in arrays)


def optimizer_state(optimizer, trainable_weights):
    """``(count, bytes)`` of the optimizer's variables as Keras counts them, or None before its
    first step (Keras builds its optimizer then)."""
    if optimizer is None or getattr(optimizer, "iterations", 0) == 0:
        return None
    # Keras's optimizer.variables: the step counter, the learning rate unless a schedule gives
    # it, then each weight's state (which the optimizer lists as Keras does, to save it)
    return _size(optimizer.keras_variables(trainable_weights))


def _wrap(text, width):
    if len(text) <= width:
        return [text]
    lines = []
    for word in text.replace(" (", "\n(").replace(", ", ",\n").split("\n"):
        if lines and len(lines[-1]) + 1 + len(word) <= width and not word.startswith("("):
            lines[-1] += " " + word
        else:
            lines.append(word if len(word) <= width else word[:width - 1] + "…")
    return lines


def _shape_text(shape):
    if isinstance(shape, list):  # a nested model's several outputs
        return "[" + ", ".join(_shape_text(s) for s in shape) + "]"
    text = "(" + ", ".join(str(d) for d in shape) + ")"
    return text[:-1] + ",)" if len(shape) == 1 else text


def print_summary(model, print_fn=print, functional=False):
    """Print `model`'s table; ``functional=True`` adds Keras's "Connected to" column."""
    calls = model._calls() if functional else [(layer, [], []) for layer in model.layers]
    # Keras leaves out "Connected to" for a chain of layers, each fed by the one before
    functional = functional and not all(
        inputs == [calls[k - 1][2][0]] for k, (_, inputs, _) in enumerate(calls) if k)
    rows = []
    made_by = {id(t): (unit, k) for unit, _, outputs in calls for k, t in enumerate(outputs)}
    for layer, inputs, _ in calls:
        kind = "Functional" if type(layer).__name__ == "Model" else type(layer).__name__
        row = [f"{layer.name} ({kind})", _shape_text(layer.output_shape),
               f"{layer.count_params():,}"]
        if functional:  # Keras's name[node][tensor]: each layer is called once in nnlib
            row.append(", ".join(f"{made_by[id(t)][0].name}[0][{made_by[id(t)][1]}]"
                                 for t in inputs) or "-")
        rows.append(row)
    widths = [19, 17, 10, 17] if functional else [31, 22, 13]
    right = [False, False, True, False]

    def line(cells):
        wrapped = [_wrap(c, w) for c, w in zip(cells, widths)]
        out = []
        for i in range(max(len(w) for w in wrapped)):
            parts = []
            for k, (lines, w) in enumerate(zip(wrapped, widths)):
                text = lines[i] if i < len(lines) else ""
                parts.append(" " + (text.rjust(w) if right[k] else text.ljust(w)) + " ")
            out.append("│" + "│".join(parts) + "│")
        return out

    def rule(left, mid, end, fill):
        return left + mid.join(fill * (w + 2) for w in widths) + end

    headers = ["Layer (type)", "Output Shape", "Param #", "Connected to"][:len(widths)]
    out = [f'Model: "{model.name}"', rule("┏", "┳", "┓", "━")]
    out.append("┃" + "┃".join(" " + (h.rjust(w) if right[k] else h.ljust(w)) + " "
                              for k, (h, w) in enumerate(zip(headers, widths))) + "┃")
    out.append(rule("┡", "╇", "┩", "━"))
    for k, row in enumerate(rows):
        out.extend(line(row))
        out.append(rule("├", "┼", "┤", "─") if k < len(rows) - 1 else rule("└", "┴", "┘", "─"))
    trainable, trainable_bytes = _size(model.trainable_weights)
    frozen, frozen_bytes = _size(model.non_trainable_weights)
    state = optimizer_state(getattr(model, "optimizer", None), model.trainable_weights)
    extra, extra_bytes = state or (0, 0)
    out += [f" Total params: {trainable + frozen + extra:,} "
            f"({readable_size(trainable_bytes + frozen_bytes + extra_bytes)})",
            f" Trainable params: {trainable:,} ({readable_size(trainable_bytes)})",
            f" Non-trainable params: {frozen:,} ({readable_size(frozen_bytes)})"]
    if state is not None:
        out.append(f" Optimizer params: {extra:,} ({readable_size(extra_bytes)})")
    print_fn("\n".join(out))
