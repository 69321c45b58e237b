"""``keras.utils.plot_model`` without Graphviz: a picture of the model drawn with matplotlib.

Keras draws the model with pydot and Graphviz, and without them raises ``ImportError: You must
install pydot``. nnlib draws the same picture itself: one box per layer, top to bottom (or left to
right with ``rankdir="LR"``), an arrow from each layer to the layers it feeds, and, on request,
the output shapes, dtypes, activations and whether each layer trains.
"""

import os

from nnlib._validation import check_choice

__all__ = ["plot_model"]


def _label(layer, model, show_shapes, show_dtype, show_layer_names, show_layer_activations,
           show_trainable):
    kind = type(layer).__name__
    lines = [f"{layer.name} ({kind})" if show_layer_names else kind]
    if show_layer_activations and getattr(layer, "activation", None) is not None:
        lines.append(f"activation: {layer.activation.name}")
    if show_shapes:
        lines.append(f"output: {tuple(layer.output_shape)}")
    if show_dtype:
        lines.append(f"dtype: {model._dtype}")
    if show_trainable:
        lines.append("trainable" if getattr(layer, "trainable", True) else "frozen")
    return "\n".join(lines)


def plot_model(model, to_file="model.png", show_shapes=False, show_dtype=False,
               show_layer_names=False, rankdir="TB", expand_nested=False, dpi=200,
               show_layer_activations=False, show_trainable=False, splines="ortho", **kwargs):
    """Draw `model` into `to_file` (any format matplotlib writes: .png, .svg, .pdf) and return
    the picture as IPython shows it in a notebook (``IPython.display.Image``; None outside one).

    Keras's arguments, with its defaults; ``expand_nested`` and ``splines`` (Graphviz's edge
    style) are accepted, arrows are straight and a nested model's layers are always drawn
    (nnlib's models hold them directly).
    """
    import matplotlib  # noqa: PLC0415 (only this function needs it)
    from matplotlib import pyplot as plt  # noqa: PLC0415

    rankdir = check_choice(rankdir, "rankdir", ["TB", "LR"])
    if not getattr(model, "built", False):
        raise ValueError("plot_model: the model is not built yet; start it with Input(shape), or "
                         "call it on data first.")
    graph = model._graph
    layers = list(graph.layers)
    depth = {}
    for layer in layers:  # the graph's order puts every layer after the layers feeding it
        parents = [t.layer for node in graph.nodes if node.layer is layer for t in node.inputs]
        depth[layer] = 1 + max((depth[p] for p in parents), default=-1)
    columns = {}
    for layer in layers:
        columns.setdefault(depth[layer], []).append(layer)
    position = {}
    for level, row in columns.items():
        for k, layer in enumerate(row):
            across = k - (len(row) - 1) / 2
            position[layer] = (across, -level) if rankdir == "TB" else (level, -across)
    labels = {layer: _label(layer, model, show_shapes, show_dtype, show_layer_names,
                            show_layer_activations, show_trainable) for layer in layers}
    spread = max(len(row) for row in columns.values())
    size = (max(3.0, 2.6 * spread), 1.1 * len(columns) + 0.6) if rankdir == "TB" else (
        2.6 * len(columns) + 0.6, max(2.0, 1.1 * spread))
    with matplotlib.rc_context({"figure.dpi": dpi}):
        figure, axes = plt.subplots(figsize=size)
        for node in graph.nodes:
            for tensor in node.inputs:
                (x0, y0), (x1, y1) = position[tensor.layer], position[node.layer]
                axes.annotate("", xy=(x1, y1), xytext=(x0, y0),
                              arrowprops={"arrowstyle": "->", "shrinkA": 22, "shrinkB": 24})
        for layer, (x, y) in position.items():
            axes.text(x, y, labels[layer], ha="center", va="center", fontsize=8,
                      bbox={"boxstyle": "round", "facecolor": "white", "edgecolor": "black"})
        xs, ys = zip(*position.values())
        axes.set_xlim(min(xs) - 1, max(xs) + 1)
        axes.set_ylim(min(ys) - 0.6, max(ys) + 0.6)
        axes.axis("off")
        figure.savefig(os.fspath(to_file), bbox_inches="tight")
        plt.close(figure)
    try:
        from IPython import display  # noqa: PLC0415
        from IPython import get_ipython  # noqa: PLC0415
    except ImportError:
        return None
    if get_ipython() is None or os.fspath(to_file).endswith(".pdf"):
        return None
    return display.Image(filename=os.fspath(to_file))
