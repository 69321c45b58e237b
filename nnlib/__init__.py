"""nnlib: the small NumPy neural-network library that "How Neural Networks Work" explains.

Each module holds one idea of the course, written to be read: the math in the docstring, the forward
computation and its derivative side by side. Names and numbers follow Keras 3, so a model written
with nnlib runs with Keras by swapping the import, and gives the same results.

Examples
--------
>>> import nnlib
>>> nnlib.activations.relu([-1.0, 2.0])
array([0., 2.], dtype=float32)
"""

from nnlib import (
    activations,
    callbacks,
    config,
    datasets,
    gradcheck,
    layers,
    losses,
    metrics,
    models,
    optimizers,
    perceptron,
    progress,
    utils,
)

__version__ = "0.1.0"
