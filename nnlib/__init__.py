"""nnlib: the small NumPy neural-network library that "How Neural Networks Work" explains.

The course's formulas live in :mod:`nnlib.core`, each written once in plain NumPy with its math in
the docstring, forward and derivative side by side: the file a chapter points at. The Keras-named
modules around it check their input and call the core for every number. Names and numbers follow
Keras 3, so a model written with nnlib runs with Keras by swapping the import, and gives the same
results.

Keras's top-level names are here too, so that beginner Keras code runs with ``import nnlib as
keras``: ``keras.Sequential``, ``keras.Model``, ``keras.Input``, ``keras.layers``,
``keras.optimizers``, ``keras.losses``, ``keras.metrics``, ``keras.callbacks``, ``keras.utils``,
``keras.regularizers``, ``keras.models`` (``load_model``, ``clone_model``, ...), ``keras.saving``
(``.keras`` files real Keras opens);
``keras.optimizers.schedules`` is also ``nnlib.schedules``.

Examples
--------
>>> import nnlib
>>> nnlib.activations.relu([-1.0, 2.0])
array([0., 2.], dtype=float32)
>>> import nnlib as keras
>>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="softmax")])
>>> model.count_params()
8
"""

from nnlib import (
    activations,
    callbacks,
    config,
    core,
    datasets,
    gradcheck,
    initializers,
    layers,
    losses,
    metrics,
    models,
    ops,
    optimizers,
    perceptron,
    plot,
    progress,
    regularizers,
    saving,
    schedules,
    utils,
)
from nnlib._keras_surface import install as _install_refusals
from nnlib.initializers import Initializer
from nnlib.layers import Input, Layer
from nnlib.losses import Loss
from nnlib.metrics import Metric
from nnlib.models import Model, Sequential
from nnlib.optimizers import Optimizer

__all__ = ["Initializer", "Input", "Layer", "Loss", "Metric", "Model", "Optimizer", "Sequential",
           "activations", "callbacks", "config", "core", "datasets", "gradcheck", "initializers",
           "layers", "losses", "metrics", "models", "ops", "optimizers", "perceptron", "progress",
           "regularizers", "saving", "schedules", "utils"]

__version__ = "0.2.0"

# what Keras has and nnlib does not is refused by name at first use (nnlib._keras_surface)
_install_refusals()
