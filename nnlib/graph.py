r"""The graph of a model: which layer feeds which, and the forward and backward passes through it.

A model is a directed acyclic graph of layers. Calling layers on the symbolic tensors of
:func:`~nnlib.layers.Input` records, in each output tensor, the layer that made it and that layer's
inputs; :class:`Graph` reads those records back from the output and orders the layers so that each
comes after every layer it depends on (a topological order, found depth first).

Forward runs the layers in that order. Backward runs them in reverse, each turning
$\partial L / \partial \text{output}$ into the gradients of its weights and
$\partial L / \partial \text{input}$; a tensor that feeds several layers receives the *sum* of their
gradients (the multivariable chain rule). Keras's counterpart is ``keras.src.ops.function``.

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
from nnlib.layers import InputLayer, SymbolicTensor

__all__ = ["Graph", "topological_order"]


def topological_order(outputs):
    """Every tensor the outputs depend on, each after the tensors that feed it (depth-first)."""
    order, state = [], {}

    def visit(tensor):
        key = id(tensor)
        if state.get(key) == "done":
            return
        if state.get(key) == "visiting":
            raise ValueError(f"The graph has a cycle through layer {tensor.layer.name!r}.")
        state[key] = "visiting"
        for parent in tensor.inputs:
            visit(parent)
        state[key] = "done"
        order.append(tensor)

    for tensor in outputs:
        visit(tensor)
    return order


def _accepts(method, keyword):
    """Whether ``method`` takes ``keyword``: a custom layer may define backward(self, grad) only."""
    try:
        parameters = inspect.signature(method).parameters
    except (TypeError, ValueError):
        return False
    return keyword in parameters or any(p.kind is p.VAR_KEYWORD for p in parameters.values())


class _Node:
    """One layer call: the layer, its input tensors, its output tensor."""

    def __init__(self, tensor):
        self.layer, self.inputs, self.output = tensor.layer, tensor.inputs, tensor
        self.takes_training = _accepts(self.layer.forward, "training")
        self.takes_input_gradient = _accepts(self.layer.backward, "input_gradient")


class Graph:
    """The layers between ``inputs`` (tensors from ``Input``) and ``output``, in computing order.

    Attributes
    ----------
    inputs : list of SymbolicTensor
    output : SymbolicTensor
    layers : list of Layer
        The InputLayers first, then every other layer after the layers that feed it.
    """

    def __init__(self, inputs, output):
        for k, t in enumerate(inputs):
            if not isinstance(t, SymbolicTensor) or not isinstance(t.layer, InputLayer):
                raise TypeError(
                    f"Model: inputs[{k}] must be a tensor returned by nnlib.layers.Input; "
                    f"received {describe(t)}.")
        if isinstance(output, (list, tuple)):
            if len(output) != 1:
                raise ValueError(
                    f"Model: nnlib models have exactly one output; received {len(output)} outputs.")
            output = output[0]
        if not isinstance(output, SymbolicTensor):
            raise TypeError(
                "Model: outputs must be the tensor returned by calling a layer on Input() tensors; "
                f"received {describe(output)}.")
        order = topological_order([output])
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
                    f"Model: input {tensor.layer.name!r} is not used to compute the output; "
                    "remove it from `inputs` or connect it to a layer.")
        self.inputs = list(inputs)
        self.output = output
        self.nodes = [_Node(t) for t in order if not isinstance(t.layer, InputLayer)]
        self.layers = [t.layer for t in self.inputs] + [node.layer for node in self.nodes]
        self._needs_key, self._needs = None, None
        # the output layer's activation, when backward can start before it (backward_from_z),
        # so that a loss can differentiate through both in one step
        last = self.nodes[-1].layer if self.nodes else None
        self.output_activation = (getattr(last, "activation", None)
                                  if hasattr(last, "backward_from_z") else None)

    def forward(self, xs, training=False):
        """The output for the input arrays ``xs`` (one per input); every layer keeps what its
        backward pass needs."""
        values = {id(t): x for t, x in zip(self.inputs, xs)}
        for node in self.nodes:
            args = [values[id(t)] for t in node.inputs]
            arg = args if len(args) > 1 else args[0]
            values[id(node.output)] = (node.layer.forward(arg, training=training)
                                       if node.takes_training else node.layer.forward(arg))
        return values[id(self.output)]

    def _needs_gradient(self):
        """Per node, which of its inputs need a gradient: those with a trainable weight upstream.

        The first Dense's input is the data, so its largest product (dL/dX) is skipped. Recomputed
        when a layer is frozen or unfrozen.
        """
        key = tuple(layer.trainable for layer in self.layers)
        if key != self._needs_key:
            memo = {}

            def learns_upstream(tensor):
                if id(tensor) not in memo:
                    memo[id(tensor)] = bool(tensor.layer.trainable_weights) or any(
                        learns_upstream(parent) for parent in tensor.inputs)
                return memo[id(tensor)]

            self._needs = [[learns_upstream(t) for t in node.inputs] for node in self.nodes]
            self._needs_key = key
        return self._needs

    def backward(self, grad, from_z=False):
        """Backpropagate ``grad`` = dL/d(output) through every layer, last to first.

        ``from_z=True``: ``grad`` is dL/dz of the output layer, the gradient *before* its
        activation (the loss differentiated through the activation in one step).
        """
        grads = {id(self.output): grad}
        needs_per_node = self._needs_gradient()
        for k in range(len(self.nodes) - 1, -1, -1):
            node, needs = self.nodes[k], needs_per_node[k]
            g = grads.pop(id(node.output), None)
            wanted = any(needs)
            if g is None or (not wanted and not node.layer.trainable_weights):
                continue  # nothing upstream of this layer learns
            if from_z and k == len(self.nodes) - 1:
                result = node.layer.backward_from_z(g, input_gradient=wanted)
            elif node.takes_input_gradient:
                result = node.layer.backward(g, input_gradient=wanted)
            else:
                result = node.layer.backward(g)
            if not wanted:
                continue
            results = list(result) if len(node.inputs) > 1 else [result]
            for tensor, dx, need in zip(node.inputs, results, needs):
                if need:  # a tensor used by several layers receives the sum of their gradients
                    key = id(tensor)
                    grads[key] = dx if key not in grads else grads[key] + dx
