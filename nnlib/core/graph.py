r"""Forward and backward through a model's graph of layers (chapter 8).

A model is a directed acyclic graph: each *node* is one layer called on some input tensors,
making one output tensor. Forward runs the nodes so that each comes after the nodes it reads
(a topological order). Backward runs them in reverse; a tensor read by several nodes receives
the *sum* of their gradients, the multivariable chain rule:

$$\frac{\partial L}{\partial t} = \sum_{\text{nodes } k \text{ reading } t}
  \frac{\partial L}{\partial t}\Big|_{\text{through } k}.$$

A node here has ``inputs`` and ``output`` (tensors) and ``forward(xs, training)`` /
``backward(dY)`` (the latter returns one gradient per input, None where none is needed).
"""


def topological_order(outputs):
    """Every tensor the outputs depend on, each after the tensors it is computed from (depth
    first). A tensor knows the tensors it was computed from (``tensor.inputs``)."""
    order, visiting, done = [], set(), set()

    def visit(tensor):
        if id(tensor) in done:
            return
        if id(tensor) in visiting:
            raise ValueError(f"The graph has a cycle through layer {tensor.layer.name!r}.")
        visiting.add(id(tensor))
        for parent in tensor.inputs:
            visit(parent)
        done.add(id(tensor))
        order.append(tensor)

    for tensor in outputs:
        visit(tensor)
    return order


def forward(nodes, inputs, xs, training=False):
    """The value of every tensor, ``{id(tensor): array}``, from the arrays `xs` of the `inputs`."""
    values = {id(tensor): x for tensor, x in zip(inputs, xs)}
    for node in nodes:
        values[id(node.output)] = node.forward([values[id(t)] for t in node.inputs], training)
    return values


def backward(nodes, outputs, d_outputs):
    r"""Backpropagate $\partial L / \partial\,\text{output}$ of each output through the nodes, last
    to first; each layer keeps its weights' gradients. Returns the gradients that reached the
    inputs. (A model with several outputs has a loss term for each; an output that another node
    also reads receives the sum of both gradients.)"""
    grads = {id(output): d_output for output, d_output in zip(outputs, d_outputs)}
    for node in reversed(nodes):
        dY = grads.pop(id(node.output), None)
        if dY is None:  # nothing that learns depends on this node
            continue
        for tensor, dX in zip(node.inputs, node.backward(dY)):
            if dX is not None:  # a tensor read by several nodes: sum their gradients
                grads[id(tensor)] = grads[id(tensor)] + dX if id(tensor) in grads else dX
    return grads
