r"""The graph of a model: which layer feeds which, and the forward and backward passes through it.

A model is a directed acyclic graph of layers. Calling layers on the symbolic tensors of
:func:`~nnlib.layers.Input` records, in each output tensor, the layer that made it and that layer's
inputs; :class:`Graph` reads those records back from the output and orders the layers so that each
comes after every layer it depends on (a topological order, found depth first).

Forward runs the layers in that order. Backward runs them in reverse, each turning
$\partial L / \partial \text{output}$ into the gradients of its weights and
$\partial L / \partial \text{input}$; a tensor that feeds several layers receives the *sum* of their
gradients (the multivariable chain rule). The passes themselves are :mod:`nnlib.core.graph`'s; this
module checks the graph a model is given and adapts each layer to the core's nodes. Keras's
counterpart is ``keras.src.ops.function``.

Examples
--------
>>> from nnlib.layers import Dense, Input
>>> x = Input((3,))
>>> graph = Graph([x], Dense(2, name="out")(Dense(4, name="hidden")(x)))
>>> [layer.name for layer in graph.layers[1:]]  # after the InputLayer
['hidden', 'out']
"""

import inspect

from nnlib._validation import describe
from nnlib.core import graph as core
from nnlib.core.graph import topological_order
from nnlib.layers import InputLayer, SymbolicTensor

__all__ = ["Graph", "topological_order"]


def _accepts(method, keyword):
    """Whether ``method`` takes ``keyword``: a custom layer may define backward(self, grad) only."""
    try:
        parameters = inspect.signature(method).parameters
    except (TypeError, ValueError):
        return False
    return keyword in parameters or any(p.kind is p.VAR_KEYWORD for p in parameters.values())


class _Node:
    """One layer call, as :mod:`nnlib.core.graph` runs it: the layer, its input tensors, its
    output tensor; ``needs`` (which inputs need a gradient), ``learns`` (whether anything at or
    before this layer learns) and ``from_z`` (backward starts before the layer's activation) are
    set by :meth:`Graph.backward`."""

    def __init__(self, tensor):
        self.layer, self.inputs, self.output = tensor.layer, tensor.inputs, tensor
        self.takes_training = _accepts(self.layer.forward, "training")
        self.takes_input_gradient = _accepts(self.layer.backward, "input_gradient")
        self.needs, self.learns, self.from_z = [True] * len(self.inputs), True, False
        self.none = [None] * len(self.inputs)

    def forward(self, xs, training):
        x = xs if len(xs) > 1 else xs[0]
        return self.layer.forward(x, training=training) if self.takes_training else \
            self.layer.forward(x)

    def backward(self, dY):
        """One gradient per input (None where none is needed); the layer keeps its weights'."""
        if not self.learns:
            return self.none  # nothing at or upstream of this layer learns
        wanted = any(self.needs)
        if self.from_z:
            result = self.layer.backward_from_z(dY, input_gradient=wanted)
        elif self.takes_input_gradient:
            result = self.layer.backward(dY, input_gradient=wanted)
        else:
            result = self.layer.backward(dY)
        if not wanted:
            return self.none
        if len(self.inputs) == 1:
            return [result]
        return [dX if need else None for dX, need in zip(result, self.needs)]


class Graph:
    """The layers between ``inputs`` (tensors from ``Input``) and ``outputs``, in computing order.

    Attributes
    ----------
    inputs : list of SymbolicTensor
    outputs : list of SymbolicTensor
        One or more; ``output`` is the only one of a one-output model (None for several).
    layers : list of Layer
        The InputLayers first, then every other layer after the layers that feed it.
    """

    def __init__(self, inputs, outputs):
        for k, t in enumerate(inputs):
            if not isinstance(t, SymbolicTensor) or not isinstance(t.layer, InputLayer):
                raise TypeError(
                    f"Model: inputs[{k}] must be a tensor returned by nnlib.layers.Input; "
                    f"received {describe(t)}.")
        outputs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
        if not outputs:
            raise ValueError("Model: outputs is empty; give the tensor(s) the model computes.")
        for k, output in enumerate(outputs):
            if not isinstance(output, SymbolicTensor):
                label = "outputs" if len(outputs) == 1 else f"outputs[{k}]"
                raise TypeError(
                    f"Model: {label} must be the tensor returned by calling a layer on Input() "
                    f"tensors; received {describe(output)}.")
            if any(output is other for other in outputs[:k]):
                raise ValueError(f"Model: outputs[{k}] (layer {output.layer.name!r}) is given "
                                 "twice; each output of a model must be a different tensor.")
        order = topological_order(outputs)
        given = {id(t) for t in inputs}
        for tensor in order:
            if isinstance(tensor.layer, InputLayer) and id(tensor) not in given:
                users = [t.layer.name for t in order if any(p is tensor for p in t.inputs)]
                raise ValueError(
                    f"Model: the graph is disconnected: layer {users[0]!r} needs input "
                    f"{tensor.layer.name!r}, which is not in `inputs`. Pass it in "
                    "Model(inputs=[...]).")
        reached = {id(t) for t in order}
        for tensor in inputs:
            if id(tensor) not in reached:
                raise ValueError(
                    f"Model: input {tensor.layer.name!r} is not used to compute the outputs; "
                    "remove it from `inputs` or connect it to a layer.")
        self.inputs = list(inputs)
        self.outputs = outputs
        self.output = outputs[0] if len(outputs) == 1 else None
        self.nodes = [_Node(t) for t in order if not isinstance(t.layer, InputLayer)]
        self.layers = [t.layer for t in self.inputs] + [node.layer for node in self.nodes]
        self._needs_key = None
        # the node making each output (None for an output that is an input), whose backward
        # may start before its activation
        node_of = {id(node.output): node for node in self.nodes}
        self._output_nodes = [node_of.get(id(t)) for t in outputs]
        # each output layer's activation, when backward can start before it (backward_from_z) so
        # that a loss can differentiate through both in one step; not for an output another
        # layer reads too (that layer's gradient arrives after the activation)
        read = {id(t) for node in self.nodes for t in node.inputs}
        self.output_activations = [
            getattr(t.layer, "activation", None)
            if hasattr(t.layer, "backward_from_z") and id(t) not in read else None
            for t in outputs]

    @property
    def output_activation(self):
        """The output layer's activation of a one-output model (see ``output_activations``)."""
        return self.output_activations[0] if self.output is not None else None

    def forward(self, xs, training=False):
        """The output for the input arrays ``xs`` (one per input), a list for several outputs;
        every layer keeps what its backward pass needs."""
        values = core.forward(self.nodes, self.inputs, xs, training)
        outputs = [values[id(t)] for t in self.outputs]
        return outputs[0] if self.output is not None else outputs

    def _set_needs(self):
        """Set each node's ``needs`` (which of its inputs need a gradient: those with a trainable
        weight upstream) and ``learns`` (it or a node before it has a trainable weight).

        The first Dense's input is the data, so its largest product (dL/dX) is skipped. Set again
        when a layer is frozen or unfrozen.
        """
        key = [layer.trainable for layer in self.layers]
        if key == self._needs_key:
            return
        memo = {}

        def learns_upstream(tensor):
            if id(tensor) not in memo:
                memo[id(tensor)] = bool(tensor.layer.trainable_weights) or any(
                    learns_upstream(parent) for parent in tensor.inputs)
            return memo[id(tensor)]

        for node in self.nodes:
            node.needs = [learns_upstream(t) for t in node.inputs]
            node.learns = learns_upstream(node.output)
        self._needs_key = key

    def backward(self, grad, from_z=False):
        """Backpropagate ``grad`` = dL/d(output) through every layer, last to first (for several
        outputs, a list with one gradient per output, None for an output without a loss).

        ``from_z=True``: ``grad`` is dL/dz of the output layer, the gradient *before* its
        activation (the loss differentiated through the activation in one step); a list of
        flags for several outputs.
        """
        self._set_needs()
        grads = [grad] if self.output is not None else grad
        flags = [from_z] if self.output is not None else from_z
        for node, flag in zip(self._output_nodes, flags):
            if node is not None:
                node.from_z = flag
        given = [(t, g) for t, g in zip(self.outputs, grads) if g is not None]
        core.backward(self.nodes, [t for t, _ in given], [g for _, g in given])

    def parameters(self):
        """Each trainable weight with its gradient and its regularizer (or None), layer by layer:
        what :func:`nnlib.core.training.train_step` updates."""
        return [(w, g, regularizer) for layer in self.layers
                for w, g, regularizer, trainable in zip(layer.weights, layer.grads,
                                                        layer._regularizers(),
                                                        layer._trainable_flags())
                if trainable]
