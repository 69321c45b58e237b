r"""Saving: a model in one ``.keras`` file that real Keras 3 opens; Keras's files opened by nnlib.

Keras 3's ``.keras`` file is a zip archive of three members:

* ``config.json``: the architecture, each layer as ``{"class_name": "Dense", "config": {"units": 3,
  "activation": "relu", ...}}``; a functional model also lists, for every layer, the layers it was
  called on (``inbound_nodes``), and its outputs (``output_layers``: ``[name, 0, 0]``, a list
  of them for several outputs, a dict by key for outputs given as a dict); then how the model
  was compiled (``compile_config``; for several outputs, the loss, loss weights and metrics one
  per output, in the outputs' form);
* ``metadata.json``: the Keras version of the format and the date;
* ``model.weights.h5``: the weights in HDF5, addressed by *position*, not by layer name:
  ``layers/dense/vars/0`` is the kernel of the first Dense layer, ``layers/dense_1/vars/1`` the bias
  of the second, in the order of ``model.layers`` (for a functional model, Keras's order: farthest
  from the outputs first).

``save_weights``/``load_weights`` write and read that last member alone (a ``.weights.h5`` file).

  The optimizer's state follows, as ``optimizer/vars/0``, ``1``, ...: the step counter, the
  learning rate (unless a schedule gives it), then each weight's state arrays (Adam's $m$ and $v$,
  RMSprop's $v$, ...) in Keras's order (:meth:`nnlib.optimizers.Optimizer.keras_variables`).

What is saved: the architecture, the weights, the compile settings (optimizer and its
hyperparameters, learning-rate schedule included, loss, metrics) and the optimizer's state, all
restored by ``load_model`` (``compile=False`` skips the compile settings and the state), so
training after ``load_model`` goes on exactly as if it had never stopped, in nnlib or in Keras. A
file whose optimizer state does not fit (another optimizer, none saved, or damaged) loads with a
warning, as in Keras, and the optimizer starts afresh. What is not saved: the training history.
nnlib's own additions to Keras (the ``dsilu`` activation, the ``sse`` and ``rmse`` losses) are
saved by name: nnlib reads them back, Keras does not know them.

Adding a layer kind is one entry in ``LAYER_FORMATS``: its class, and two functions between the
layer and its Keras ``config``.

Examples
--------
>>> import os, tempfile
>>> import numpy as np
>>> from nnlib.layers import Dense, Input
>>> from nnlib.models import Sequential
>>> model = Sequential([Input((3,)), Dense(2, activation="softmax")])
>>> path = os.path.join(tempfile.mkdtemp(), "model.keras")
>>> save_model(model, path)
>>> again = load_model(path)
>>> x = np.ones((1, 3), dtype=np.float32)
>>> bool(np.array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0)))
True
"""

import datetime
import io
import json
import os
import warnings
import zipfile

import numpy as np

from nnlib import initializers, layers, losses, metrics, optimizers, regularizers, schedules
from nnlib._validation import describe
from nnlib.config import floatx, floatx_scope
from nnlib.utils import snake_case
from nnlib.models import Model, Sequential

__all__ = ["save_model", "load_model", "save_weights", "load_weights", "clone_layer",
           "layer_config", "layer_from_config", "optimizer_from_config", "serialize_layer",
           "deserialize_layer", "LAYER_FORMATS"]

KERAS_FORMAT_VERSION = "3.15.1"  # the Keras release whose files this module reads and writes
_CONFIG, _METADATA, _WEIGHTS = "config.json", "metadata.json", "model.weights.h5"


def _h5py():
    import h5py  # noqa: PLC0415 (a dependency of nnlib; imported when used: `import nnlib` stays fast)

    return h5py


# --------------------------------------------------------------------------------------------------
# The one place that reads nnlib's model internals (the graph and the compile settings): adapt it
# when models.py changes. Everything else uses the public API.
# --------------------------------------------------------------------------------------------------


class _Graph:
    """A model's layers and connections as Keras writes them (a nested model is one layer):
    ``inputs`` and ``outputs`` (layers, the outputs in the model's order), ``output_keys`` (the
    names of a dict of outputs, else None), ``output_list`` (the outputs were given as a list,
    even of one), ``parents[layer]`` (the layers it is called on), ``slots[layer]`` and
    ``output_slots`` (which output of each parent, and of each output layer: 0 but for a nested
    model with several), ``shapes[layer]`` (its output shape, batch dimension None; a list for
    several)."""

    def __init__(self, inputs, outputs, output_keys, output_list, parents, slots, output_slots,
                 shapes):
        self.inputs, self.outputs, self.output_keys = inputs, outputs, output_keys
        self.output_list, self.parents, self.slots = output_list, parents, slots
        self.output_slots, self.shapes = output_slots, shapes

    def shape(self, layer, slot=0):
        """The shape of output `slot` of `layer`."""
        shape = self.shapes[layer]
        return shape[slot] if isinstance(shape, list) else shape


def _read_model(model):
    """The model's :class:`_Graph`."""
    if not isinstance(model, Model):
        raise TypeError(f"expected an nnlib model (Sequential or Model); received "
                        f"{type(model).__name__}.")
    if not getattr(model, "built", False) or not model.inputs:
        raise ValueError(f"Model {model.name!r} is not built yet, so it has no weights to save: "
                         "start it with Input(shape), or call it on data first.")
    # every layer makes one tensor; a nested model, which Keras writes as one layer (a nested
    # config), one or several: Keras numbers them (keras_history [name, 0, slot])
    calls = model._calls()
    made_by = {id(t): (unit, k) for unit, _, outputs in calls for k, t in enumerate(outputs)}
    parents = {unit: [made_by[id(t)][0] for t in inputs] for unit, inputs, _ in calls}
    slots = {unit: [made_by[id(t)][1] for t in inputs] for unit, inputs, _ in calls}
    shapes = {unit: outputs[0].shape if len(outputs) == 1 else [t.shape for t in outputs]
              for unit, _, outputs in calls}
    return _Graph([made_by[id(t)][0] for t in model.inputs],
                  [made_by[id(t)][0] for t in model.outputs], model._output_keys,
                  model._output_list, parents, slots,
                  [made_by[id(t)][1] for t in model.outputs], shapes)


def _compile_config(model):
    """Keras's ``compile_config`` of the compiled `model`. For several outputs, the losses, loss
    weights and metrics (weighted or not) are a list in the outputs' order, or a dict by name
    when the outputs were given as a dict (as Keras writes what compile received)."""
    names = model._output_names()
    by_name = model._output_keys is not None

    def per_output(values):
        return dict(zip(names, values)) if by_name else list(values)

    def metrics_of(per_output_specs):
        lists = [[_metric_name(m) for m in specs] for specs in per_output_specs]
        if len(names) == 1:
            return lists[0] or None
        if not any(lists):
            return None
        if by_name:
            return {name: specs for name, specs in zip(names, lists) if specs}
        return [specs or None for specs in lists]  # None: no metric for that output

    metrics = metrics_of(model._output_metric_specs)
    weighted = metrics_of(model._output_weighted_specs)
    if len(names) == 1:
        return _compile_to_config(model.optimizer, _loss_to_config(model.loss), metrics,
                                  model._loss_weights[0], weighted)
    loss = model.loss
    if isinstance(loss, (list, dict)):  # one per output (None: that output has no loss)
        loss = per_output(None if entry is None else _loss_to_config(entry)
                          for entry in model._output_losses)
    else:  # one loss for every output
        loss = _loss_to_config(loss)
    weights = model._loss_weights  # all None (not given) or all numbers
    return _compile_to_config(model.optimizer, loss, metrics,
                              None if weights[0] is None else per_output(weights), weighted)


_METRIC_OPTIONS = ("_options", "thresholds", "num_thresholds")  # what a metric object is set to


def _metric_name(metric):
    """A metric for compile_config: a name as given; an object with Keras's config as Keras
    writes it (its class and settings); another object by its class name (``"AUC"``), which
    Keras and nnlib both resolve, when it has its class's default settings."""
    if isinstance(metric, str):
        return metric
    if hasattr(metric, "get_config"):
        return {"module": "keras.metrics", "class_name": type(metric).__name__,
                "config": metric.get_config(), "registered_name": None}
    fresh = type(metric)()
    for option in _METRIC_OPTIONS:
        if not np.array_equal(np.asarray(getattr(metric, option, 0), dtype=object),
                              np.asarray(getattr(fresh, option, 0), dtype=object)):
            raise ValueError(
                f"save_model: metric {metric.name!r} ({type(metric).__name__}) has settings "
                f"other than its defaults, which the file would not keep; compile with "
                f"{type(metric).__name__}() or a metric name such as 'accuracy' to save it.")
    return type(metric).__name__


def _metric_from_config(item):
    """A compile_config metric: a name, or a metric object written with its config."""
    if isinstance(item, str):
        return item
    cls = getattr(metrics, item.get("class_name", ""), None) if isinstance(item, dict) else None
    if not (isinstance(cls, type) and hasattr(cls, "from_config")):
        raise ValueError(f"load_model: nnlib compiles with metric names such as 'accuracy' or "
                         f"metrics it can rebuild from their settings; the file has {item!r}. "
                         "Use load_model(path, compile=False).")
    return cls.from_config(item.get("config", {}))


def _keras_layer_order(outputs, parents):
    """The layers in Keras's ``model.layers`` order for a functional model (ops/function.py).

    Keras gives each layer a depth, its longest distance to an output, lists the deepest first,
    and breaks ties by the order a depth-first walk from the outputs (one after the other, in
    the model's order) first reaches them.
    """
    first_seen, finished = {}, []

    def walk(layer):
        if layer in first_seen:
            return
        first_seen[layer] = len(first_seen)
        for parent in parents[layer]:
            walk(parent)
        finished.append(layer)

    for output in outputs:
        walk(output)
    depth = {}
    for layer in reversed(finished):  # every layer after the layers it feeds
        depth.setdefault(layer, 0)
        for parent in parents[layer]:
            depth[parent] = max(depth.get(parent, 0), depth[layer] + 1)
    return sorted(depth, key=lambda layer: (-depth[layer], first_seen[layer]))


def _weight_paths(layer_list):
    """Keras's HDF5 group of each layer: the class name in snake case, numbered per class (a
    nested functional model is Keras's class Functional)."""
    used, paths = {}, []
    for layer in layer_list:
        base = "functional" if type(layer) is Model else snake_case(type(layer).__name__)
        count = used.get(base, -1) + 1
        used[base] = count
        paths.append(f"layers/{base}" + (f"_{count}" if count else ""))
    return paths


# --------------------------------------------------------------------------------------------------
# Layers: nnlib class <-> Keras config. One entry per layer kind.
# --------------------------------------------------------------------------------------------------

# Keras options nnlib does not implement: loading refuses a file that uses one, rather than give a
# model that silently computes or trains differently.
_UNSUPPORTED_IF_SET = ("activity_regularizer", "kernel_constraint", "bias_constraint", "quantization_config",
                       "noise_shape")


def _initializer_to_config(initializer):
    # a custom function only matters before training, and the saved weights replace whatever it
    # drew, so Keras's default stands in for it
    return initializers.serialize(initializer) or "glorot_uniform"


def _initializer_from_config(config):
    try:
        return initializers.deserialize(config)
    except (ValueError, TypeError):  # a Keras initializer nnlib lacks: the weights replace it
        return "glorot_uniform"


def _dense_to_config(layer):
    return {"units": layer.units, "activation": layer.activation.name, "use_bias": layer.use_bias,
            "kernel_initializer": _initializer_to_config(layer.kernel_initializer),
            "bias_initializer": _initializer_to_config(layer.bias_initializer),
            "kernel_regularizer": regularizers.serialize(layer.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(layer.bias_regularizer),
            "kernel_constraint": None, "bias_constraint": None, "quantization_config": None}


def _dense_from_config(config):
    return layers.Dense(config["units"], activation=_activation_name(config),
                        use_bias=config.get("use_bias", True),
                        kernel_initializer=_initializer_from_config(
                            config.get("kernel_initializer", "glorot_uniform")),
                        bias_initializer=_initializer_from_config(
                            config.get("bias_initializer", "zeros")),
                        kernel_regularizer=config.get("kernel_regularizer"),
                        bias_regularizer=config.get("bias_regularizer"),
                        name=config["name"])


def _activation_name(config):
    activation = config.get("activation", "linear")
    if isinstance(activation, dict):
        activation = activation.get("config", {}).get("name", activation.get("class_name"))
    return activation


def _refuse(config, key, nnlib_value, class_name):
    """Refuse a Keras option whose value nnlib does not compute (rather than load it wrong)."""
    value = config.get(key, nnlib_value)
    if value != nnlib_value:
        raise ValueError(f"load_model: layer {config['name']!r} ({class_name}) has "
                         f"{key}={value!r}; nnlib computes {key}={nnlib_value!r} only.")


def _flatten_from_config(config):
    _refuse(config, "data_format", "channels_last", "Flatten")
    return layers.Flatten(name=config["name"])


def _normalization_to_config(layer):
    # Keras stores the axes kept as a list ([-1]; [] for one mean of all entries); statistics
    # given to the constructor go in the config, adapted ones are the weights (mean, variance,
    # count)
    mean, variance = layer._given if layer._given is not None else (None, None)
    return {"axis": [] if layer.axis is None else [-1], "invert": False,
            "mean": None if mean is None else mean.tolist(),
            "variance": None if variance is None else variance.tolist()}


def _normalization_from_config(config):
    _refuse(config, "invert", False, "Normalization")
    axis = config.get("axis", -1)
    axis = tuple(axis) if isinstance(axis, (list, tuple)) else (() if axis is None else (axis,))
    if axis not in ((), (-1,)):
        raise ValueError(f"load_model: layer {config['name']!r} (Normalization) normalises over "
                         f"axis={list(axis)}; nnlib supports the last axis ([-1]) or all ([]).")
    return layers.Normalization(axis=None if axis == () else -1, mean=config.get("mean"),
                                variance=config.get("variance"), name=config["name"])


def _batch_normalization_to_config(layer):
    config = {"axis": -1, "momentum": layer.momentum, "epsilon": layer.epsilon,
              "center": layer.center, "scale": layer.scale}
    for name in ("beta", "gamma", "moving_mean", "moving_variance"):
        config[f"{name}_initializer"] = _initializer_to_config(layer.initializers[name])
    return config | {"beta_regularizer": None, "gamma_regularizer": None, "beta_constraint": None,
                     "gamma_constraint": None, "synchronized": False, "renorm": False,
                     "renorm_clipping": None, "renorm_momentum": 0.99}


def _batch_normalization_from_config(config):
    for key, value in [("renorm", False), ("beta_regularizer", None), ("gamma_regularizer", None),
                       ("beta_constraint", None), ("gamma_constraint", None)]:
        _refuse(config, key, value, "BatchNormalization")
    axis = config.get("axis", -1)
    axis = axis[0] if isinstance(axis, list) and len(axis) == 1 else axis
    return layers.BatchNormalization(
        axis=axis, momentum=config.get("momentum", 0.99), epsilon=config.get("epsilon", 1e-3),
        center=config.get("center", True), scale=config.get("scale", True),
        **{f"{name}_initializer": _initializer_from_config(config.get(f"{name}_initializer",
                                                                      default))
           for name, default in [("beta", "zeros"), ("gamma", "ones"), ("moving_mean", "zeros"),
                                 ("moving_variance", "ones")]},
        name=config["name"])


def _prelu_from_config(config):
    _refuse(config, "shared_axes", None, "PReLU")
    _refuse(config, "alpha_regularizer", None, "PReLU")
    _refuse(config, "alpha_constraint", None, "PReLU")
    return layers.PReLU(alpha_initializer=_initializer_from_config(
        config.get("alpha_initializer", "zeros")), name=config["name"])


class _LayerFormat:
    def __init__(self, cls, to_config, from_config):
        self.cls, self.to_config, self.from_config = cls, to_config, from_config


# Keras class name -> how to write and read it. To add a layer: one entry here (and a test).
LAYER_FORMATS = {
    "Dense": _LayerFormat(layers.Dense, _dense_to_config, _dense_from_config),
    "Concatenate": _LayerFormat(layers.Concatenate, lambda layer: {"axis": layer.axis},
                                lambda c: layers.Concatenate(axis=c.get("axis", -1),
                                                             name=c["name"])),
    "Add": _LayerFormat(layers.Add, lambda layer: {}, lambda c: layers.Add(name=c["name"])),
    "Flatten": _LayerFormat(layers.Flatten, lambda layer: {"data_format": "channels_last"},
                            _flatten_from_config),
    "Dropout": _LayerFormat(layers.Dropout,
                            lambda layer: {"rate": layer.rate, "seed": layer.seed,
                                           "noise_shape": None},
                            lambda c: layers.Dropout(c["rate"], seed=c.get("seed"),
                                                     name=c["name"])),
    "Activation": _LayerFormat(layers.Activation,
                               lambda layer: {"activation": layer.activation.name},
                               lambda c: layers.Activation(_activation_name(c), name=c["name"])),
    "Softmax": _LayerFormat(layers.Softmax, lambda layer: {"axis": layer.axis},
                            lambda c: layers.Softmax(axis=c.get("axis", -1), name=c["name"])),
    "Normalization": _LayerFormat(layers.Normalization, _normalization_to_config,
                                  _normalization_from_config),
    "BatchNormalization": _LayerFormat(layers.BatchNormalization, _batch_normalization_to_config,
                                       _batch_normalization_from_config),
    "ReLU": _LayerFormat(layers.ReLU, lambda layer: {"max_value": layer.max_value,
                                                     "negative_slope": layer.negative_slope,
                                                     "threshold": layer.threshold},
                         lambda c: layers.ReLU(c.get("max_value"), c.get("negative_slope", 0.0),
                                               c.get("threshold", 0.0), name=c["name"])),
    "LeakyReLU": _LayerFormat(layers.LeakyReLU,
                              lambda layer: {"negative_slope": layer.negative_slope},
                              lambda c: layers.LeakyReLU(c.get("negative_slope", 0.3),
                                                         name=c["name"])),
    "ELU": _LayerFormat(layers.ELU, lambda layer: {"alpha": layer.alpha},
                        lambda c: layers.ELU(c.get("alpha", 1.0), name=c["name"])),
    "PReLU": _LayerFormat(layers.PReLU, lambda layer: {
        "alpha_initializer": _initializer_to_config(layer.alpha_initializer),
        "alpha_regularizer": None, "alpha_constraint": None, "shared_axes": None},
        _prelu_from_config),
    "Identity": _LayerFormat(layers.Identity, lambda layer: {},
                             lambda c: layers.Identity(name=c["name"])),
    "GaussianNoise": _LayerFormat(layers.GaussianNoise,
                                  lambda layer: {"stddev": layer.stddev, "seed": layer.seed},
                                  lambda c: layers.GaussianNoise(c["stddev"], seed=c.get("seed"),
                                                                 name=c["name"])),
    "GaussianDropout": _LayerFormat(layers.GaussianDropout,
                                    lambda layer: {"rate": layer.rate, "seed": layer.seed},
                                    lambda c: layers.GaussianDropout(c["rate"], seed=c.get("seed"),
                                                                     name=c["name"])),
    "AlphaDropout": _LayerFormat(layers.AlphaDropout,
                                 lambda layer: {"rate": layer.rate, "seed": layer.seed,
                                                "noise_shape": None},
                                 lambda c: layers.AlphaDropout(c["rate"], c.get("noise_shape"),
                                                               seed=c.get("seed"),
                                                               name=c["name"])),
    **{cls.__name__: _LayerFormat(cls, lambda layer: {},
                                  lambda c, cls=cls: cls(name=c["name"]))
       for cls in (layers.Subtract, layers.Multiply, layers.Average, layers.Maximum,
                   layers.Minimum)},
    "Dot": _LayerFormat(layers.Dot, lambda layer: {"axes": layer.axes,
                                                   "normalize": layer.normalize},
                        lambda c: layers.Dot(c["axes"], c.get("normalize", False),
                                             name=c["name"])),
    "Rescaling": _LayerFormat(layers.Rescaling,
                              lambda layer: {"scale": layer.scale, "offset": layer.offset},
                              lambda c: layers.Rescaling(c["scale"], c.get("offset", 0.0),
                                                         name=c["name"])),
}


def _dtype_policy(dtype):
    return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": str(dtype)},
            "registered_name": None}


def _layer_to_config(layer, dtype, input_shape):
    if isinstance(layer, Model):  # a model used as a layer: its own whole config, as Keras's
        item = model_to_document(layer)
        item["build_config"] = {"input_shape": _json_shape(input_shape)}
        return item
    class_name = _saved_name(type(layer))
    if class_name is None:
        raise ValueError(
            f"save_model: layer {layer.name!r} is a {type(layer).__name__}, which has no Keras "
            f"format in nnlib.saving; layers that can be saved: {', '.join(LAYER_FORMATS)}.")
    config = {"name": layer.name, "trainable": bool(getattr(layer, "trainable", True)),
              "dtype": _dtype_policy(dtype)}
    config.update(LAYER_FORMATS[class_name].to_config(layer))
    return {"module": "keras.layers", "class_name": class_name, "config": config,
            "registered_name": None, "build_config": {"input_shape": _json_shape(input_shape)}}


def _saved_name(cls):
    """The Keras class name nnlib saves layers of class `cls` under, or None (not saved)."""
    return next((name for name, entry in LAYER_FORMATS.items() if entry.cls is cls), None)


def _layer_dtype(layer):
    """The float type of `layer`'s weights (the configured default before it has any)."""
    return layer.weights[0].dtype if layer.weights else np.dtype(floatx())


def layer_config(layer):
    """Keras's ``layer.get_config()``: the settings a ``.keras`` file holds for a layer nnlib
    saves (name, trainable, dtype policy and its own options); for another layer, Keras's base
    Layer's name and trainable flag, which a custom layer's ``get_config`` extends."""
    if _saved_name(type(layer)) is None:
        return {"name": layer.name, "trainable": bool(layer.trainable)}
    return _layer_to_config(layer, _layer_dtype(layer), layer.input_shape or [])["config"]


def layer_from_config(cls, config):
    """Keras's ``cls.from_config(config)``: a layer nnlib saves is read as ``.keras`` files are
    read (Keras's configs too); another layer gets the config as its constructor's arguments,
    as Keras's base Layer."""
    class_name = _saved_name(cls)
    if class_name is None:
        return cls(**config)
    if not isinstance(config, dict):
        raise TypeError(f"{cls.__name__}.from_config: config must be the dict get_config() "
                        f"returns; received {describe(config)}.")
    return _layer_from_config({"class_name": class_name,
                               "config": {"name": None, **config}})


def serialize_layer(layer):
    """Keras's ``keras.layers.serialize(layer)``: its class and ``get_config()`` (a model: its
    whole architecture)."""
    if isinstance(layer, Model):
        return model_to_document(layer)
    return {"module": "keras.layers", "class_name": type(layer).__name__,
            "config": layer.get_config(), "registered_name": None}


def deserialize_layer(item):
    """Keras's ``keras.layers.deserialize``: a new layer from ``serialize``'s dict, nnlib's or
    Keras's, read as a ``.keras`` file's layers are."""
    if not isinstance(item, dict) or "class_name" not in item:
        raise TypeError(f"deserialize: expected the dict keras.layers.serialize returns, with "
                        f"'class_name' and 'config'; received {describe(item)}.")
    return _layer_from_config(item)


def clone_layer(layer):
    """A new layer with `layer`'s settings and name and freshly drawn weights, as Keras's
    ``layer.__class__.from_config(layer.get_config())`` (``clone_model``'s default); a nested
    model through its whole config. A custom layer clones when it defines ``get_config``."""
    if isinstance(layer, Model):
        return model_from_document(model_to_document(layer))
    if _saved_name(type(layer)) is None and type(layer).get_config is layers.Layer.get_config:
        raise ValueError(
            f"clone_model: layer {layer.name!r} is a {type(layer).__name__}, which nnlib cannot "
            f"rebuild from its settings: give it a get_config() (the arguments of its __init__), "
            "or pass clone_function=..., a function that returns a new layer for it, as in "
            "Keras.")
    with floatx_scope(_layer_dtype(layer).name):  # the new weights in the layer's own float type
        return type(layer).from_config(layer.get_config())


def _layer_from_config(item):
    class_name = item.get("class_name")
    if class_name in ("Sequential", "Functional"):  # a model used as a layer of this one
        return _build_from_config(item)[0]
    if class_name not in LAYER_FORMATS:
        name = item.get("config", {}).get("name", "?")
        raise ValueError(
            f"load_model: layer {name!r} is a Keras {class_name}, which nnlib does not have. "
            f"nnlib can load: {', '.join(['InputLayer', *LAYER_FORMATS])}.")
    config = item["config"]
    used = [key for key in _UNSUPPORTED_IF_SET if config.get(key) is not None]
    if used:
        raise ValueError(f"load_model: layer {config['name']!r} ({class_name}) uses "
                         f"{', '.join(used)}, which nnlib does not implement.")
    layer = LAYER_FORMATS[class_name].from_config(config)
    if config.get("trainable") is False:
        layer.trainable = False
    return layer


def _json_shape(shape):
    if isinstance(shape, list):
        return [_json_shape(s) for s in shape]
    return [None if d is None else int(d) for d in shape]


# --------------------------------------------------------------------------------------------------
# Models: config.json
# --------------------------------------------------------------------------------------------------


def _model_dtype(model):
    weights = model.get_weights()
    return weights[0].dtype if weights else np.dtype("float32")


def _input_config(layer, shape, dtype):
    return {"module": "keras.layers", "class_name": "InputLayer",
            "config": {"batch_shape": _json_shape(shape), "dtype": str(dtype),
                       "sparse": False, "ragged": False, "name": layer.name, "optional": False},
            "registered_name": None}


def _keras_tensor(layer, shape, dtype, slot=0):
    return {"class_name": "__keras_tensor__",
            "config": {"shape": _json_shape(shape), "dtype": str(dtype),
                       "keras_history": [layer.name, 0, slot]}}


def _model_config(model, graph, dtype):
    """config.json's ``config`` and the layers in the order of their weights in the HDF5 file."""

    def input_shape(layer):
        if isinstance(layer, Model):  # a nested Sequential: what its own Input takes
            return layer.inputs[0].shape
        shapes = [graph.shape(parent, k)
                  for parent, k in zip(graph.parents[layer], graph.slots[layer])]
        return shapes if len(shapes) > 1 else shapes[0]

    first = graph.inputs[0]
    if isinstance(model, Sequential):
        stack = model.layers
        items = [_input_config(first, graph.shapes[first], dtype)]
        items += [_layer_to_config(layer, dtype, input_shape(layer)) for layer in stack]
        config = {"name": model.name, "trainable": True, "dtype": _dtype_policy(dtype),
                  "layers": items, "build_input_shape": _json_shape(graph.shapes[first])}
        return "Sequential", config, stack
    order = _keras_layer_order(graph.outputs, graph.parents)
    items = []
    for layer in order:
        if layer in graph.inputs:
            item = _input_config(layer, graph.shapes[layer], dtype)
            item["inbound_nodes"] = []
        else:
            item = _layer_to_config(layer, dtype, input_shape(layer))
            tensors = [_keras_tensor(parent, graph.shape(parent, k), dtype, k)
                       for parent, k in zip(graph.parents[layer], graph.slots[layer])]
            item["inbound_nodes"] = [{"args": [tensors if len(tensors) > 1 else tensors[0]],
                                      "kwargs": {}}]
        item["name"] = layer.name
        items.append(item)
    config = {"name": model.name, "trainable": True, "layers": items,
              "input_layers": [[layer.name, 0, 0] for layer in graph.inputs],
              "output_layers": _output_layers(graph)}
    return "Functional", config, order


def _output_layers(graph):
    """``output_layers`` as Keras writes it: ``[name, 0, 0]`` for one output, a list of them for
    several (or for one given as a list), a dict of them by key for outputs given as a dict."""
    entries = [[layer.name, 0, k] for layer, k in zip(graph.outputs, graph.output_slots)]
    if graph.output_keys is not None:
        return dict(zip(graph.output_keys, entries))
    return entries if graph.output_list or len(entries) > 1 else entries[0]


def _saved_dtype(item):
    """The float type the model was saved in (its first layer's dtype policy), float32 if none."""
    for entry in item.get("config", {}).get("layers", []):
        dtype = entry.get("config", {}).get("dtype")
        if isinstance(dtype, dict):
            dtype = dtype.get("config", {}).get("name")
        if dtype is not None:
            if dtype not in ("float32", "float64"):
                raise ValueError(f"load_model: the model computes in {dtype!r}; nnlib computes "
                                 "in 'float32' or 'float64'.")
            return dtype
    return "float32"


def _model_from_config(item):
    """Build the nnlib model; return it with its layers in the order of the HDF5 file."""
    try:
        with floatx_scope(_saved_dtype(item)):  # layers create their weights in floatx
            return _build_from_config(item)
    except (KeyError, IndexError, AttributeError) as error:
        raise ValueError(f"load_model: config.json does not describe a Keras model as Keras 3 "
                         f"writes it (missing or malformed entry: {error!r}).") from None


def _nth_output(result, k):
    """Output `k` of what calling a layer gave: its tensor, or one of a nested model's several
    (a list, or a dict in sorted-key order, as Keras numbers them)."""
    if isinstance(result, dict):
        return list(result.values())[k]
    return result[k] if isinstance(result, list) else result


def _build_from_config(item):
    class_name, model_config = item.get("class_name"), item.get("config", {})
    if class_name == "Sequential":
        stack, input_tensor = [], None
        for entry in model_config["layers"]:
            if entry.get("class_name") == "InputLayer":
                input_tensor = layers.Input(tuple(entry["config"]["batch_shape"][1:]),
                                            name=entry["config"].get("name"))
            else:
                stack.append(_layer_from_config(entry))
        if input_tensor is None and model_config.get("build_input_shape"):
            input_tensor = layers.Input(tuple(model_config["build_input_shape"][1:]))
        model = Sequential(([input_tensor] if input_tensor is not None else []) + stack,
                           name=model_config.get("name"))
        return model, stack
    if class_name not in ("Functional", "Model"):
        raise ValueError(f"load_model: the file holds a Keras {class_name}; nnlib loads "
                         "Sequential and functional models (keras.Model(inputs, outputs)).")
    tensors, by_name, parents = {}, {}, {}
    for entry in model_config["layers"]:
        name = entry.get("name", entry["config"].get("name"))
        if entry.get("class_name") == "InputLayer":
            tensors[name] = layers.Input(tuple(entry["config"]["batch_shape"][1:]), name=name)
            by_name[name], parents[name] = tensors[name].layer, []
            continue
        layer = _layer_from_config(entry)
        nodes = entry.get("inbound_nodes", [])
        if len(nodes) != 1:
            raise ValueError(f"load_model: layer {name!r} is used {len(nodes)} times in the "
                             "graph; nnlib layers are used exactly once.")
        args = nodes[0]["args"][0]
        history = [t["config"]["keras_history"] for t in (args if isinstance(args, list)
                                                          else [args])]
        parents[name] = [layer_name for layer_name, _, _ in history]
        called_on = [_nth_output(tensors[layer_name], k) for layer_name, _, k in history]
        tensors[name] = layer(called_on if len(called_on) > 1 else called_on[0])
        by_name[name] = layer
    outputs, keys, one = model_config["output_layers"], None, False
    if isinstance(outputs, dict):  # outputs given as a dict: by key, in Keras's sorted order
        keys = sorted(outputs)
        entries = [outputs[key] for key in keys]
    elif outputs and isinstance(outputs[0], str):  # one output: [name, 0, 0]
        entries, one = [outputs], True
    else:  # a list of [name, 0, 0], perhaps of one (kept a list, as Keras keeps it)
        entries = outputs
    names, indices = [entry[0] for entry in entries], [entry[2] for entry in entries]
    inputs = model_config["input_layers"]
    if inputs and isinstance(inputs[0], str):  # one input, as Keras's get_config writes it
        inputs = [inputs]
    results = [_nth_output(tensors[name], k) for name, k in zip(names, indices)]
    model = Model([tensors[entry[0]] for entry in inputs],
                  dict(zip(keys, results)) if keys else results[0] if one else results,
                  name=model_config.get("name"))
    order = _keras_layer_order(names, parents)
    return model, [by_name[name] for name in order]


# --------------------------------------------------------------------------------------------------
# Compile settings: Keras's compile_config
# --------------------------------------------------------------------------------------------------

_KERAS_OPTIMIZER_DEFAULTS = {  # the options every Keras optimizer has; nnlib has none of them
    "weight_decay": None, "clipnorm": None, "global_clipnorm": None, "clipvalue": None,
    "use_ema": False, "ema_momentum": 0.99, "ema_overwrite_frequency": None,
    "loss_scale_factor": None, "gradient_accumulation_steps": None,
}
_KERAS_ONLY_OPTIONS = {"adam": {"amsgrad": False}, "adamw": {"amsgrad": False}}  # per optimizer, with the value nnlib computes
_KERAS_LOSS_CLASSES = {"mean_squared_error": "MeanSquaredError",
                       "mean_absolute_error": "MeanAbsoluteError",
                       "binary_crossentropy": "BinaryCrossentropy",
                       "categorical_crossentropy": "CategoricalCrossentropy",
                       "sparse_categorical_crossentropy": "SparseCategoricalCrossentropy"}


def _schedule_to_config(schedule):
    return {"module": "keras.optimizers.schedules", "class_name": type(schedule).__name__,
            "config": schedule.get_config(), "registered_name": None}


def _loss_to_config(loss):
    """One loss as compile_config holds it: its name, or its class and settings."""
    if hasattr(loss, "get_config"):  # a loss with Keras settings of its own (focal losses)
        return {"module": "keras.losses", "class_name": type(loss).__name__,
                "config": loss.get_config(), "registered_name": None}
    if getattr(loss, "from_logits", False):
        return {"module": "keras.losses", "class_name": _KERAS_LOSS_CLASSES[loss.name],
                "config": {"name": loss.name, "reduction": "sum_over_batch_size",
                           "from_logits": True}, "registered_name": None}
    return loss.name


def _compile_to_config(optimizer, loss, metrics, loss_weights=None, weighted_metrics=None):
    """compile_config from the optimizer, the loss (already as :func:`_loss_to_config` writes
    it, or one per output), the metrics, the loss weights and the weighted metrics."""
    config = dict(optimizer.get_config())
    rate = config["learning_rate"]
    if isinstance(rate, schedules.LearningRateSchedule):
        config["learning_rate"] = _schedule_to_config(rate)
    config = {"name": optimizer.__class__.__name__.lower(),
              **_KERAS_OPTIMIZER_DEFAULTS, **config}  # AdamW's weight_decay is its own
    return {"optimizer": {"module": "keras.optimizers", "class_name": type(optimizer).__name__,
                          "config": config, "registered_name": None},
            "loss": loss, "loss_weights": loss_weights, "metrics": metrics or None,
            "weighted_metrics": weighted_metrics, "run_eagerly": False, "steps_per_execution": 1,
            "jit_compile": True}


def _not_default(config, defaults, what):
    changed = [key for key, default in defaults.items()
               if key in config and config[key] != default]
    if changed:
        raise ValueError(
            f"load_model: the {what} uses {', '.join(changed)}, which nnlib does not implement; "
            "load it with load_model(path, compile=False) and compile it again.")


def _optimizer_from_config(item):
    if isinstance(item, str):
        return optimizers.get(item)
    class_name, config = item["class_name"], dict(item.get("config", {}))
    if class_name.lower() not in optimizers.CLASSES:
        raise ValueError(f"load_model: the model was compiled with Keras's {class_name}, which "
                         f"nnlib does not have; nnlib's optimizers: "
                         f"{', '.join(c.__name__ for c in optimizers.CLASSES.values())}. "
                         "Use load_model(path, compile=False) and compile it again.")
    cls = optimizers.CLASSES[class_name.lower()]
    keras_only = {key: value for key, value in (
        _KERAS_OPTIMIZER_DEFAULTS | _KERAS_ONLY_OPTIONS.get(class_name.lower(), {})).items()
        if key not in cls.__init__.__code__.co_varnames}  # AdamW's weight_decay is its own
    _not_default(config, keras_only, f"optimizer {class_name}")
    for key in [*keras_only, "name"]:
        config.pop(key, None)
    rate = config.get("learning_rate")
    if isinstance(rate, dict):
        name = rate.get("class_name")
        if name not in schedules.SCHEDULES:
            raise ValueError(f"load_model: learning-rate schedule {name!r} is not in nnlib; "
                             f"nnlib has {', '.join(schedules.SCHEDULES)}.")
        config["learning_rate"] = schedules.SCHEDULES[name].from_config(rate["config"])
    return cls(**config)


def optimizer_from_config(cls, config):
    """Keras's ``cls.from_config(config)`` for an optimizer: nnlib's ``get_config()`` or
    Keras's (whose options nnlib lacks must hold their defaults)."""
    return _optimizer_from_config({"class_name": cls.__name__, "config": config})


def compile_from_config(model, config):
    """Compile `model` as Keras's ``compile_config`` says (what ``get_compile_config`` returns
    and ``.keras`` files hold): optimizer, loss, loss weight and metrics."""
    if not isinstance(config, dict) or "optimizer" not in config or "loss" not in config:
        raise ValueError(f"compile_from_config: expected the dict get_compile_config() returns, "
                         f"with 'optimizer' and 'loss'; received {describe(config)}.")
    optimizer = config["optimizer"]
    model.compile(optimizer=optimizer if isinstance(optimizer, str) else
                  _optimizer_from_config(optimizer),
                  loss=_each_from_config(_loss_from_config, config["loss"]),
                  metrics=_each_from_config(_metric_from_config, config.get("metrics")) or [],
                  loss_weights=config.get("loss_weights"),
                  weighted_metrics=_each_from_config(_metric_from_config,
                                                     config.get("weighted_metrics")))


def _each_from_config(read, item):
    """`read` applied to every loss or metric in `item`, kept in its structure: one, a list (one
    entry per output, or one output's metrics), a dict by output name; None stays None."""
    if item is None:
        return None
    if isinstance(item, list):
        return [_each_from_config(read, entry) for entry in item]
    if isinstance(item, dict) and "class_name" not in item:
        return {key: _each_from_config(read, entry) for key, entry in item.items()}
    return read(item)


def _loss_from_config(item):
    if isinstance(item, str):
        return losses.get(item)
    if not isinstance(item, dict) or "class_name" not in item:
        raise ValueError(f"load_model: a loss is a name or Keras's {{'class_name': ..., "
                         f"'config': ...}}; received {item!r}. Use "
                         "load_model(path, compile=False).")
    config = dict(item.get("config", {}))
    loss = losses.get(item["class_name"])
    if hasattr(loss, "from_config"):  # it reads Keras's settings itself
        return type(loss).from_config(config)
    _not_default(config, {"reduction": "sum_over_batch_size", "label_smoothing": 0.0,
                          "ignore_class": None, "axis": -1}, f"loss {item['class_name']}")
    if config.get("from_logits"):
        loss = type(loss)(from_logits=True)
    return loss


# --------------------------------------------------------------------------------------------------
# Weights: model.weights.h5
# --------------------------------------------------------------------------------------------------


def _write_layers(h5file, layer_list, prefix=""):
    """Each layer's weights in its group; a nested model's layers in groups inside its own."""
    for layer, path in zip(layer_list, _weight_paths(layer_list)):
        group = h5file.create_group(f"{prefix}{path}/vars")
        group.attrs["name"] = layer.name
        if isinstance(layer, Model):
            _write_layers(h5file, _ordered_layers(layer), f"{prefix}{path}/")
            continue
        for k, weight in enumerate(layer.get_weights()):
            group.create_dataset(str(k), data=weight)


def _write_weights(h5file, model, layer_list):
    h5file.create_group("vars").attrs["name"] = model.name
    _write_layers(h5file, layer_list)
    if model.compiled:
        optimizer = model.optimizer
        group = h5file.create_group("optimizer/vars")
        group.attrs["name"] = snake_case(type(optimizer).__name__)  # Keras's default name
        for k, variable in enumerate(optimizer.keras_variables(
                model._optimizer_weights(layer_list))):
            group.create_dataset(str(k), data=variable)


def _read_optimizer_state(h5file, model, layer_list):
    """Put the saved optimizer state into the compiled `model`'s optimizer, or warn, as Keras
    does, that it starts afresh."""
    group = h5file.get("optimizer/vars")
    stored = [] if group is None else [group[str(k)][()] for k in range(len(group))
                                       if str(k) in group]
    optimizer, weights = model.optimizer, model._optimizer_weights(layer_list)
    if not optimizer.set_keras_variables(weights, stored):
        expected = len(optimizer.keras_variables(weights))
        warnings.warn(f"Skipping variable loading for optimizer {type(optimizer).__name__}, "
                      f"because it has {expected} variables whereas the saved optimizer has "
                      f"{len(stored)} variables: it starts training afresh.", stacklevel=3)


def _read_weights(h5file, layer_list, what):
    """Set each layer's weights from its group, checking count and shapes first."""
    for layer, weights in _stored_weights(h5file, layer_list, what):
        if weights:
            layer.set_weights(weights)


def _stored_weights(h5file, layer_list, what, prefix=""):
    """``(layer, arrays)`` for each layer (those of a nested model from the groups inside its
    own), every count and shape checked."""
    updates = []
    for layer, path in zip(layer_list, _weight_paths(layer_list)):
        path = prefix + path
        if isinstance(layer, Model):
            updates += _stored_weights(h5file, _ordered_layers(layer), what, f"{path}/")
            continue
        current = layer.get_weights()
        group = h5file.get(f"{path}/vars")
        if group is None:
            if current:
                raise ValueError(f"{what} has no weights for layer {layer.name!r} (looked for "
                                 f"{path}/vars): it was saved from a different architecture.")
            continue
        stored = [group[str(k)] for k in range(len(group)) if str(k) in group]
        if len(stored) != len(current) or any(s.shape != c.shape for s, c in zip(stored,
                                                                                  current)):
            raise ValueError(
                f"{what}: layer {layer.name!r} expects weights of shapes "
                f"{[c.shape for c in current]}; the file has {[s.shape for s in stored]} at "
                f"{path}: it was saved from a different architecture.")
        updates.append((layer, [np.asarray(s[()]) for s in stored]))
    return updates


def _ordered_layers(model):
    graph = _read_model(model)
    if isinstance(model, Sequential):
        return model.layers
    return _keras_layer_order(graph.outputs, graph.parents)


# --------------------------------------------------------------------------------------------------
# The four public functions
# --------------------------------------------------------------------------------------------------


def _check_path(filepath, suffix, function, hint):
    if not isinstance(filepath, (str, os.PathLike)):
        raise TypeError(f"{function}: filepath must be a path such as 'model{suffix}'; received "
                        f"{type(filepath).__name__}.")
    path = os.fspath(filepath)
    if not path.endswith(suffix):
        raise ValueError(f"{function}: filepath must end in {suffix!r} (Keras 3's format); "
                         f"received {path!r}.{hint}")
    return path


def model_to_document(model):
    """The model's architecture as Keras's ``to_json`` writes it: ``{"module", "class_name",
    "config", "registered_name"}`` (no weights, no compile settings)."""
    graph = _read_model(model)
    class_name, config, _ = _model_config(model, graph, _model_dtype(model))
    return {"module": "keras" if class_name == "Sequential" else "keras.src.models.functional",
            "class_name": class_name, "config": config,
            "registered_name": None if class_name == "Sequential" else "Functional"}


def model_from_document(document):
    """A new, uncompiled model from Keras's architecture document (``to_json``'s, parsed)."""
    if not isinstance(document, dict) or "class_name" not in document:
        raise ValueError(f"model_from_json: expected a model as Keras's to_json writes it, "
                         f'{{"class_name": ..., "config": ...}}; received {describe(document)}.')
    return _model_from_config(document)[0]


def save_model(model, filepath):
    """Write ``model`` to ``filepath`` (``.keras``): architecture, weights, compile settings.

    Real Keras opens the file with ``keras.models.load_model(filepath)`` and predicts the same.
    """
    path = _check_path(filepath, ".keras", "save_model",
                       " To save only the weights use save_weights(model, 'model.weights.h5').")
    graph = _read_model(model)
    dtype = _model_dtype(model)
    class_name, config, layer_order = _model_config(model, graph, dtype)
    module = "keras" if class_name == "Sequential" else "keras.src.models.functional"
    document = {"module": module, "class_name": class_name, "config": config,
                "registered_name": None if class_name == "Sequential" else "Functional",
                "build_config": {"input_shape": config.get("build_input_shape")},
                "compile_config": _compile_config(model) if model.compiled else None}
    metadata = {"keras_version": KERAS_FORMAT_VERSION, "saved_by": "nnlib",
                "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")}
    buffer = io.BytesIO()
    with _h5py().File(buffer, "w") as h5file:
        _write_weights(h5file, model, layer_order)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(_METADATA, json.dumps(metadata))
        archive.writestr(_CONFIG, json.dumps(document))
        archive.writestr(_WEIGHTS, buffer.getvalue())


def _open_archive(path, function):
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise ValueError(f"{function}: {path!r} is not a .keras file (Keras 3 writes a zip "
                         "archive); it may be damaged, or saved in another format.") from None
    names = set(archive.namelist())
    missing = [name for name in (_CONFIG, _WEIGHTS) if name not in names]
    if missing:
        archive.close()
        raise ValueError(f"{function}: {path!r} lacks {', '.join(missing)}; a .keras file holds "
                         f"{_CONFIG}, {_METADATA} and {_WEIGHTS}.")
    return archive


def _open_h5(data, source, function):
    try:
        return _h5py().File(data, "r")
    except OSError as error:
        raise ValueError(f"{function}: {source} is not a readable HDF5 weights file "
                         f"({error}).") from None


def load_model(filepath, compile=True):
    """Read a ``.keras`` file written by nnlib or by real Keras, for the layers nnlib has.

    Parameters
    ----------
    filepath : str or path
    compile : bool
        Compile the model as it was when saved, the optimizer with its settings and its state.
    """
    path = _check_path(filepath, ".keras", "load_model", "")
    with _open_archive(path, "load_model") as archive:
        try:
            document = json.loads(archive.read(_CONFIG))
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise ValueError(f"load_model: {path!r} has a damaged {_CONFIG} ({error}).") from None
        weights = archive.read(_WEIGHTS)
    model, layer_order = _model_from_config(document)
    compile_config = document.get("compile_config") if compile else None
    if compile_config:
        compile_from_config(model, compile_config)
    with _open_h5(io.BytesIO(weights), f"the {_WEIGHTS} inside {path!r}", "load_model") as h5:
        _read_weights(h5, layer_order, f"load_model: {path!r}")
        if compile_config:
            _read_optimizer_state(h5, model, layer_order)
    return model


def save_weights(model, filepath):
    """Write the weights to ``filepath`` (``.weights.h5``), in Keras's layout; as Keras, with the
    optimizer's state when the model is compiled."""
    path = _check_path(filepath, ".weights.h5", "save_weights",
                       " To save the whole model use save_model(model, 'model.keras').")
    layer_order = _ordered_layers(model)
    with _h5py().File(path, "w") as h5file:
        _write_weights(h5file, model, layer_order)


def load_weights(model, filepath):
    """Set ``model``'s weights from a ``.weights.h5`` (or ``.keras``) file of its architecture,
    and, when ``model`` is compiled and the file has one, its optimizer's state."""
    path = os.fspath(filepath) if isinstance(filepath, (str, os.PathLike)) else filepath
    layer_order = _ordered_layers(model)
    if isinstance(path, str) and path.endswith(".keras"):
        with _open_archive(path, "load_weights") as archive:
            data, source = io.BytesIO(archive.read(_WEIGHTS)), f"the {_WEIGHTS} inside {path!r}"
    else:
        path = _check_path(filepath, ".weights.h5", "load_weights", "")
        data, source = path, repr(path)
    with _open_h5(data, source, "load_weights") as h5:
        _read_weights(h5, layer_order, f"load_weights: {source}")
        if model.compiled and "optimizer" in h5:
            _read_optimizer_state(h5, model, layer_order)
