"""Models: layers joined into a network (Keras 3's API and numbers).

Two ways to build one, as in Keras:

* :class:`Sequential` for a plain stack, ``Sequential([Input((4,)), Dense(8, "relu"), Dense(1)])``;
* :class:`Model` for any graph of layers: call layers on the symbolic tensors from
  :func:`~nnlib.layers.Input` and hand the first and last tensors to ``Model(inputs, outputs)``.

A model is three things put together, each in its own module: the graph of its layers
(:mod:`nnlib.graph`: order, forward, backward), the training loop (:mod:`nnlib.trainer`:
``compile``, ``fit`` around ``train_step``, ``evaluate``, ``predict``) with its data handling
(:mod:`nnlib.data_adapter`), and its description (:mod:`nnlib.summary`). This module only joins
them and keeps the weights' bookkeeping.

Examples
--------
>>> import numpy as np
>>> from nnlib import utils
>>> from nnlib.layers import Dense, Input
>>> utils.set_random_seed(0)
>>> model = Sequential([Input((2,)), Dense(1, activation="sigmoid")])
>>> model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
>>> x = np.array([[0.0, 0.0], [1.0, 1.0]]); y = np.array([0.0, 1.0])
>>> history = model.fit(x, y, epochs=3, verbose=0)
>>> list(history.history)
['accuracy', 'loss']
>>> model.predict(x, verbose=0).shape
(2, 1)
"""

import numpy as np

from nnlib import config, data_adapter, summary
from nnlib._scope import out_of_scope
from nnlib._validation import check_bool, check_choice, describe
from nnlib.graph import Graph
from nnlib.layers import Input, InputLayer, Layer, SymbolicTensor, _Merge
from nnlib.trainer import NonFiniteLossError, Trainer
from nnlib.utils import unique_name

__all__ = ["Model", "Sequential", "NonFiniteLossError", "clone_model", "load_model",
           "model_from_json", "save_model"]


def _defines_call(cls):
    """Whether a Model subclass computes in its own ``call`` (Keras's subclassing style)."""
    return any("call" in vars(c) for c in cls.__mro__ if c not in (Model, Sequential, Trainer,
                                                                    object))


class ModelCall:
    """One call of a model nested in another (``inner(x)`` inside ``Model(x, ...)``): the model and
    the outer model's tensors it takes and makes. Its layers run in the outer graph; Keras lists
    the call as one layer of the outer model (``layers``, ``summary``, ``.keras`` files)."""

    def __init__(self, model, inputs, outputs):
        self.model, self.inputs, self.outputs = model, list(inputs), list(outputs)


class Model(Trainer):
    """A network given by its inputs and output, as ``keras.Model(inputs, outputs)``.

    Parameters
    ----------
    inputs : SymbolicTensor, list of SymbolicTensor or dict of them by name
        What :func:`~nnlib.layers.Input` returned; ``fit`` and ``predict`` then take one array,
        a list in this order or a dict by name.
    outputs : SymbolicTensor, list or dict of SymbolicTensor
        The result of calling the last layer; several outputs as a list (``predict`` returns a
        list) or a dict by name (``predict`` returns a dict). Each output has its own loss
        (see ``compile``), and targets come as a list or a dict by output name.
    name : str, optional

    Examples
    --------
    >>> from nnlib.layers import Dense, Input
    >>> inputs = Input((3,))
    >>> hidden = Dense(4, activation="relu")(inputs)
    >>> model = Model(inputs, Dense(1)(hidden))
    >>> model.count_params()
    21
    """

    def __init__(self, inputs=None, outputs=None, name=None):
        self.name = name or unique_name("functional" if type(self) is Model else
                                        type(self).__name__.lower())
        self._init_trainer()
        self._graph = None
        self._input_keys = self._output_keys = None  # set by a dict of inputs or outputs
        self._output_list = False  # outputs given as a list, even of one (model.output is one)
        self.built = False
        self._trainable = True
        if isinstance(self, Sequential):
            return
        if inputs is None or outputs is None:
            if type(self) is not Model and _defines_call(type(self)):
                raise out_of_scope("a Model subclass that computes in call()",
                                   "nnlib has no automatic differentiation to train it; build "
                                   "the model with Model(inputs, outputs) or Sequential")
            raise TypeError("Model(inputs, outputs): both are required; build them with "
                            "nnlib.layers.Input and by calling layers, or use Sequential.")
        # also a subclass calling super().__init__(inputs, outputs), as Keras allows
        self._set_graph(inputs, outputs)

    def _set_graph(self, inputs, outputs):
        """The graph from `inputs` to `outputs`, each one tensor, a list or a dict by name (the
        dict's keys then name the arrays fit takes and predict returns; Keras orders them by
        sorted key)."""
        self._input_keys = sorted(inputs) if isinstance(inputs, dict) else None
        self._output_keys = sorted(outputs) if isinstance(outputs, dict) else None
        self._output_list = isinstance(outputs, (list, tuple))
        inputs = ([inputs[key] for key in self._input_keys] if isinstance(inputs, dict) else
                  list(inputs) if isinstance(inputs, (list, tuple)) else [inputs])
        if isinstance(outputs, dict):
            outputs = [outputs[key] for key in self._output_keys]
        graph = Graph(inputs, outputs)
        seen = set()
        for layer in graph.layers:
            if id(layer) in seen:
                # Keras shares the weights and sums the gradients; nnlib's layers keep one input
                # for backward, so a second use would silently overwrite the first's
                raise ValueError(
                    f"Layer {layer.name!r} appears twice in this model: nnlib does not share one "
                    "layer between two places of a model (Keras does, with shared weights). "
                    f"Create a second {type(layer).__name__}(...) for the second place.")
            seen.add(id(layer))
        self._graph = graph
        self._dtype = np.dtype(config.floatx())
        for layer in self._graph.layers:
            if layer.weights:
                self._dtype = layer.weights[0].dtype
                break
        self.built = True

    # ---- layers and weights -------------------------------------------------------------------
    @property
    def layers(self):
        """The layers in order of computation (functional models include their InputLayers); a
        model called inside this one is one layer, as in Keras."""
        return [unit for unit, _, _ in self._calls()] if self.built else []

    def _calls(self, nested=lambda call: True):
        """Keras's view of the graph in computing order: ``(unit, inputs, outputs)`` for each
        layer, or for each call of a nested model (as one unit) that `nested` accepts, with the
        tensors it is called on and those it makes."""
        calls, seen = [], set()
        for tensor in self._graph.inputs + [node.output for node in self._graph.nodes]:
            call = tensor.model_call
            if call is None or not nested(call):
                calls.append((tensor.layer, tensor.inputs, [tensor]))
            elif id(call) not in seen:
                seen.add(id(call))
                calls.append((call.model, call.inputs, call.outputs))
        return calls

    def _weight_layers(self):
        """Every layer that holds weights, in Keras's order: layer by layer, a nested model's
        layers together, in that model's own order."""
        if not self.built:
            return []
        return [layer for unit, _, _ in self._calls()
                for layer in (unit._weight_layers() if isinstance(unit, Model) else [unit])]

    @property
    def trainable(self):
        """``False`` freezes every layer of the model (also when it is a layer of another)."""
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        self._trainable = check_bool(value, "trainable")
        for layer in self._weight_layers():
            layer.trainable = self._trainable

    @property
    def input(self):
        """The input tensor (a list for several inputs), as Keras's ``model.input``."""
        inputs = self.inputs
        return inputs[0] if len(inputs) == 1 else inputs

    @property
    def output(self):
        """The output tensor, or the list or dict of them the model was given (a list of one
        stays a list), as Keras's ``model.output``."""
        return self._structured(self._graph.outputs) if self.built else None

    @property
    def outputs(self):
        return list(self._graph.outputs) if self.built else []

    @property
    def output_names(self):
        """The output layers' names, as Keras's ``model.output_names``."""
        return [t.layer.name for t in self._graph.outputs] if self.built else []

    @property
    def output_shape(self):
        """The output's shape (a list of shapes for several outputs), batch dimension None."""
        return self._as_given([t.shape for t in self._graph.outputs]) if self.built else None

    def _as_given(self, values):
        """One value per output, shaped as the model's outputs were given: the value itself
        (one output), a list, or a dict by name."""
        if self._output_keys:
            return dict(zip(self._output_keys, values))
        return values[0] if len(values) == 1 else list(values)

    def _structured(self, values):
        """One value per output, in the structure the outputs were given, a list of one included
        (``predict`` returns one array for it, as Keras: see ``_as_given``)."""
        return list(values) if self._output_list else self._as_given(values)

    @property
    def inputs(self):
        return list(self._graph.inputs) if self.built else []

    def get_layer(self, name=None, index=None):
        """The layer called `name` (or at position `index` of ``layers``), as Keras."""
        if index is not None:
            if name is not None:
                raise ValueError("get_layer: give name or index, not both.")
            if isinstance(index, bool) or not isinstance(index, int):
                raise TypeError(f"get_layer: index must be an int; received {describe(index)}.")
            if not -len(self.layers) <= index < len(self.layers):
                raise ValueError(f"get_layer: index {index} is out of range; the model has "
                                 f"{len(self.layers)} layers.")
            return self.layers[index]
        by_name = {layer.name: layer for layer in self.layers}
        return by_name[check_choice(name, "name", by_name, kind="layer")]

    @property
    def weights(self):
        """Every weight array, layer by layer (trainable or not), in Keras's order."""
        return [w for layer in self._weight_layers() for w in layer.weights]

    @property
    def trainable_weights(self):
        """The live arrays ``fit`` updates in place (frozen layers' weights excluded)."""
        return [w for layer in self._weight_layers() for w in layer.trainable_weights]

    @property
    def non_trainable_weights(self):
        return [w for layer in self._weight_layers() for w in layer.non_trainable_weights]

    @property
    def losses(self):
        """The weight penalties (``kernel_regularizer``...) of the layers, as Keras's
        ``model.losses``: fit and evaluate add their sum to the loss."""
        return [penalty for layer in self.layers for penalty in layer.losses]

    @property
    def weight_paths(self):
        """``"dense/kernel"``, ``"dense/bias"``, ... aligned with ``trainable_weights``."""
        return [f"{layer.name}/{name}" for layer in self._weight_layers()
                for name, t in zip(layer.weight_names, layer._trainable_flags()) if t]

    def get_weights(self):
        """Copies of every weight, layer by layer (Keras's order: kernel, bias, ...)."""
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        """Set every weight from a list like the one ``get_weights`` returns (Keras's too)."""
        current = self.weights
        weights = list(weights)
        if len(weights) != len(current):
            raise ValueError(
                f"set_weights: the model has {len(current)} weight arrays with shapes "
                f"{[w.shape for w in current]}; received {len(weights)} arrays.")
        paths = [f"{layer.name}/{name}" for layer in self._weight_layers()
                 for name in layer.weight_names]
        for path, w, new in zip(paths, current, weights):
            new = np.asarray(new)
            if new.shape != w.shape:
                raise ValueError(f"set_weights: {path} must have shape {w.shape}; received "
                                 f"shape {new.shape}.")
        for w, new in zip(current, weights):
            w[...] = new

    def count_params(self):
        return int(sum(w.size for w in self.weights))

    # ---- data ----------------------------------------------------------------------------------
    def _ensure_built(self, x):
        """Sequential builds from the first data it sees; functional models are built already."""

    def _prepare_x(self, x, name="x"):
        if not self.built:
            self._ensure_built(x)
        return data_adapter.prepare_x(x, self._graph.inputs, self._dtype, name,
                                      self._input_keys)

    def _prepare_y(self, y, n_rows, name="y"):
        """The targets as a list, one array per output (checked against each output's loss)."""
        return data_adapter.prepare_ys(y, n_rows, self._output_losses,
                                       [t.shape for t in self._graph.outputs],
                                       self._output_names(), self._dtype, name)

    def __call__(self, x):
        """Predict on arrays in one batch (``model(x)``, as in Keras); on the symbolic tensors of
        another model, the model becomes part of that model, as a layer (see :meth:`_nest`)."""
        if isinstance(x, SymbolicTensor) or (
                isinstance(x, (list, tuple)) and any(isinstance(t, SymbolicTensor) for t in x)):
            return self._nest(list(x) if isinstance(x, (list, tuple)) else [x])
        xs = self._prepare_x(x)  # builds a Sequential first, so the graph exists only after it
        return self._forward(xs)

    def _forward(self, xs, training=False):
        """The graph's outputs for the input arrays `xs`, shaped as the model's outputs were
        given (one array, a list or a dict)."""
        y_pred = self._graph.forward(xs, training=training)
        return self._as_given([y_pred] if self._graph.output is not None else y_pred)

    def _nest(self, tensors):
        """Use this model inside another: its layers are replayed on `tensors`, so the outer
        model's graph holds the same layer objects (same weights, trained together), as Keras's
        nested models. The replayed tensors record this call (:class:`ModelCall`), so the outer
        model's ``layers``, summary and files show this model as one layer, as Keras's."""
        if not self.built:
            self.build(tensors[0].shape)
        graph = self._graph
        if len(tensors) != len(graph.inputs):
            raise ValueError(f"Model {self.name!r} takes {len(graph.inputs)} inputs; received "
                             f"{len(tensors)}.")
        replayed = {}
        for inner, outer in zip(graph.inputs, tensors):
            if tuple(inner.shape[1:]) != tuple(outer.shape[1:]):
                raise ValueError(f"Model {self.name!r} expects inputs of shape {inner.shape}; "
                                 f"received shape {outer.shape}.")
            replayed[id(inner)] = outer
        for node in graph.nodes:
            replayed[id(node.output)] = SymbolicTensor(
                node.output.shape, node.layer, [replayed[id(t)] for t in node.inputs])
        outputs = [replayed[id(t)] for t in graph.outputs]
        call = ModelCall(self, tensors, outputs)
        for node in graph.nodes:  # this call, not any model nested inside it, is the outer's unit
            replayed[id(node.output)].model_call = call
        return self._as_given(outputs)

    def build(self, input_shape=None):
        """A functional model is built by its constructor; as in Keras, this does nothing."""

    def call(self, inputs, training=False):
        """The forward pass on arrays (Keras's ``call``); ``training=True`` as in ``fit``
        (dropout active)."""
        xs = self._prepare_x(inputs)
        return self._forward(xs, training=training)

    def compute_output_shape(self, input_shape):
        """The output's shape for inputs of `input_shape` (batch dimension first)."""
        if not self.built:
            self.build(input_shape)
        several = isinstance(input_shape[0], (list, tuple))  # one shape per input
        batch = input_shape[0][0] if several else input_shape[0]
        return self._as_given([(batch,) + tuple(t.shape[1:]) for t in self._graph.outputs])

    # ---- one batch at a time (Keras's *_on_batch) --------------------------------------------
    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None,
                       return_dict=False):
        """One gradient step on `x`, `y` as one batch; returns that batch's loss (and metrics,
        measured on the predictions before the step), as Keras's ``train_on_batch``."""
        self._check_compiled("train_on_batch")
        xs = self._prepare_x(x)
        ys = self._prepare_y(y, xs[0].shape[0])
        if class_weight is not None and len(ys) > 1:
            raise ValueError("train_on_batch: class_weight is only supported for a model with "
                             "one output, as in Keras; give sample_weight instead.")
        weights = (data_adapter.prepare_sample_weight(sample_weight, class_weight, ys[0],
                                                      self._dtype) if class_weight is not None
                   else data_adapter.prepare_sample_weights(sample_weight, ys,
                                                            self._output_names(), self._dtype))
        self._build_metrics(ys)
        self._reset_running_means()
        self._step_built = True  # as Keras (see fit's shuffling)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            logs = self.train_step(xs, ys, weights)
        return self._batch_result(logs, return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        """The loss (and metrics) on `x`, `y` as one batch, weights unchanged."""
        rows = self._prepare_x(x)[0].shape[0]
        return self.evaluate(x, y, batch_size=max(rows, 1), verbose=0,
                             sample_weight=sample_weight, return_dict=return_dict)

    def predict_on_batch(self, x):
        """Predictions for `x` as one batch."""
        return self._forward(self._prepare_x(x))

    def _batch_result(self, logs, return_dict):
        return logs if return_dict else self._ordered(logs)

    @property
    def metrics_names(self):
        """``["loss", "compile_metrics"]`` once compiled with metrics, as Keras 3 names them,
        then each output's loss (``"o1_loss"``...) for several outputs with a loss each."""
        if not self.compiled:
            return []
        return (["loss"] + (["compile_metrics"] if self._metric_specs else [])
                + self._loss_names_listed)

    def reset_metrics(self):
        """Start the loss and metrics' running means afresh."""
        self._reset_running_means()

    # ---- architecture as data (Keras's get_config / to_json) ---------------------------------
    def get_config(self):
        """The architecture as Keras describes it (layers, shapes, names; no weights)."""
        from nnlib import saving  # noqa: PLC0415 (saving imports this module)
        return saving.model_to_document(self)["config"]

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """A new model from ``get_config()``'s output (nnlib's or Keras's); `custom_objects`
        (Keras's registry of custom classes) is not used: nnlib rebuilds its own layers."""
        from nnlib import saving  # noqa: PLC0415
        class_name = "Sequential" if issubclass(cls, Sequential) else "Functional"
        return saving.model_from_document({"class_name": class_name, "config": config})

    def to_json(self, **kwargs):
        """The architecture as a JSON string, as Keras's ``to_json``; open it with
        :func:`nnlib.models.model_from_json` or Keras's."""
        import json  # noqa: PLC0415
        from nnlib import saving  # noqa: PLC0415
        return json.dumps(saving.model_to_document(self), **kwargs)

    def compile_from_config(self, config):
        """Compile as ``get_compile_config()``'s dict says (nnlib's or Keras's), as Keras."""
        from nnlib import saving  # noqa: PLC0415
        saving.compile_from_config(self, config)

    def get_build_config(self):
        """What ``build_from_config`` needs to build the model again: a functional model builds
        itself (``{"input_shape": None}``, as Keras)."""
        return {"input_shape": None}

    def build_from_config(self, config):
        """Build from ``get_build_config()``'s dict, as Keras (``{"input_shape": (None, 3)}``)."""
        if config is None:
            return
        if not isinstance(config, dict) or "input_shape" not in config:
            raise ValueError(f"build_from_config: expected the dict get_build_config() returns, "
                             f"such as {{'input_shape': (None, 3)}}; received {describe(config)}.")
        if config["input_shape"] is not None:
            self.build(config["input_shape"])

    def get_compile_config(self):
        """compile's settings as Keras's ``.keras`` files store them (None before compile)."""
        from nnlib import saving  # noqa: PLC0415
        if not self.compiled:
            return None
        return saving._compile_config(self)

    # ---- description and files ----------------------------------------------------------------
    def summary(self, print_fn=print):
        """Print the layers, their output shapes and parameter counts (Keras's table)."""
        if not self.built:
            print_fn(f'Model: "{self.name}" (not built yet: call it on data, or start with Input)')
            return
        summary.print_summary(self, print_fn, functional=type(self) is Model)

    def save(self, filepath):
        """Save the model as a Keras 3 ``.keras`` file (see :mod:`nnlib.saving`)."""
        from nnlib import saving  # noqa: PLC0415 (saving imports models: load it when used)
        return saving.save_model(self, filepath)

    def save_weights(self, filepath):
        """Save the weights as a Keras 3 ``.weights.h5`` file (see :mod:`nnlib.saving`)."""
        from nnlib import saving  # noqa: PLC0415
        return saving.save_weights(self, filepath)

    def load_weights(self, filepath):
        """Load weights saved by ``save_weights`` (nnlib's or Keras's)."""
        from nnlib import saving  # noqa: PLC0415
        return saving.load_weights(self, filepath)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r}, {len(self.layers)} layers>"


def model_from_json(json_string, custom_objects=None):
    """A new, uncompiled model from ``to_json``'s string (nnlib's or Keras's), as
    ``keras.models.model_from_json``; `custom_objects` (Keras's registry) is not used."""
    import json  # noqa: PLC0415
    from nnlib import saving  # noqa: PLC0415
    try:
        document = json.loads(json_string)
    except (TypeError, json.JSONDecodeError) as error:
        raise ValueError(f"model_from_json: expected the string model.to_json() returns; "
                         f"received {describe(json_string)} ({error}).") from None
    return saving.model_from_document(document)


def clone_model(model, input_tensors=None, clone_function=None, call_function=None,
                recursive=False):
    """A new model with `model`'s architecture and fresh weights, as
    ``keras.models.clone_model``: each layer rebuilt from its settings (same name and options,
    newly drawn weights, nothing shared), and compiled alike when `model` is compiled.

    Parameters
    ----------
    model : Sequential or Model
    input_tensors : Input tensor(s), optional
        What to build the clone on, as ``model.input`` is shaped (one tensor, or a list); new
        ``Input`` tensors like the model's by default.
    clone_function : callable, optional
        ``fn(layer) -> layer`` for every layer but the inputs (``lambda layer: layer`` shares
        them); by default the layer rebuilt from its config.
    call_function : callable, optional
        ``fn(layer, inputs) -> tensor`` calls each cloned layer (functional models only, as in
        Keras), e.g. to add a layer after each Dense.
    recursive : bool
        ``True`` clones a model nested inside layer by layer with the same functions; ``False``
        hands it to `clone_function` as one layer.
    """
    from nnlib import saving  # noqa: PLC0415 (saving imports this module)
    if not isinstance(model, Model):
        raise TypeError(f"clone_model: model must be a Sequential or a functional Model; "
                        f"received {describe(model)}.")
    for name, function in (("clone_function", clone_function), ("call_function", call_function)):
        if function is not None and not callable(function):
            raise TypeError(f"clone_model: {name} must be a function; received "
                            f"{describe(function)}.")
    recursive = check_bool(recursive, "recursive")

    def clone(layer):
        if recursive and isinstance(layer, Model):
            return clone_model(layer, clone_function=clone_function, recursive=True,
                               call_function=None if isinstance(layer, Sequential)
                               else call_function)
        return (clone_function or saving.clone_layer)(layer)

    if isinstance(model, Sequential):
        if call_function is not None:
            raise ValueError("clone_model: call_function is for functional models only, as in "
                             "Keras: a Sequential lists its layers rather than calling them. "
                             "Use clone_function to replace a layer.")
        new_inputs = _clone_inputs(model, input_tensors, one=True)
        cloned = Sequential(new_inputs + [clone(layer) for layer in model.layers],
                            name=model.name)
    else:
        if not model.built:
            raise ValueError(f"clone_model: model {model.name!r} is not built yet.")
        new_inputs = _clone_inputs(model, input_tensors, one=len(model.inputs) == 1)
        tensors = {id(old): new for old, new in zip(model.inputs, new_inputs)}
        call = call_function or (lambda layer, inputs: layer(inputs))
        for unit, inputs, outputs in model._calls()[len(new_inputs):]:
            args = [tensors[id(t)] for t in inputs]
            new = clone(unit)
            if getattr(new, "_inbound", None) is not None:
                raise ValueError(
                    f"clone_model: clone_function returned layer {new.name!r}, which is already "
                    "part of a model graph. Keras would share it; an nnlib layer is used in one "
                    "graph only, so return a new layer (the default clone_function does).")
            result = call(new, args if len(args) > 1 or getattr(unit, "takes_list", False)
                          else args[0])
            results = (list(result.values()) if isinstance(result, dict) else
                       list(result) if isinstance(result, (list, tuple)) else [result])
            tensors.update((id(t), new) for t, new in zip(outputs, results))
        keys = model._input_keys
        cloned = Model(dict(zip(keys, new_inputs)) if keys else
                       new_inputs if len(new_inputs) > 1 else new_inputs[0],
                       model._structured([tensors[id(t)] for t in model.outputs]), name=model.name)
    if not model.trainable:
        cloned.trainable = False
    if model.compiled:
        cloned.compile_from_config(model.get_compile_config())
    return cloned


def _clone_inputs(model, input_tensors, one):
    """The Input tensors a clone of `model` starts from: `input_tensors` checked, or new ones
    like the model's (none for a Sequential not built yet)."""
    if input_tensors is None:
        return [Input(t.shape[1:], dtype=t.dtype, name=t.layer.name) for t in model.inputs]
    given = (list(input_tensors.values()) if isinstance(input_tensors, dict) else
             list(input_tensors) if isinstance(input_tensors, (list, tuple)) else [input_tensors])
    expected = len(model.inputs) if model.built else 1
    if len(given) != expected or (one and len(given) != 1):
        raise ValueError(f"clone_model: input_tensors must hold {expected} tensor(s), as "
                         f"model.input; received {len(given)}.")
    for k, tensor in enumerate(given):
        if not (isinstance(tensor, SymbolicTensor) and isinstance(tensor.layer, InputLayer)):
            raise TypeError(f"clone_model: input_tensors[{k}] must be a tensor made by "
                            f"nnlib.layers.Input; received {describe(tensor)}.")
    return given


def save_model(model, filepath):
    """Save `model` as a Keras 3 ``.keras`` file, as ``keras.models.save_model`` (see
    :mod:`nnlib.saving`)."""
    from nnlib import saving  # noqa: PLC0415 (saving imports this module)
    return saving.save_model(model, filepath)


def load_model(filepath, compile=True):
    """Open a ``.keras`` file saved by nnlib or by Keras 3 (see :mod:`nnlib.saving`);
    ``compile=False`` leaves the model uncompiled, as Keras."""
    from nnlib import saving  # noqa: PLC0415 (saving imports this module)
    return saving.load_model(filepath, compile=compile)


class Sequential(Model):
    """A stack of layers, each feeding the next, as ``keras.Sequential``.

    Parameters
    ----------
    layers : list, optional
        Layers in order; the first may be ``Input(shape)`` (or a layer given
        ``input_shape=...``) to fix the input size; otherwise the model is built from the first
        data it sees.
    name : str, optional

    Examples
    --------
    >>> from nnlib.layers import Dense, Input
    >>> model = Sequential([Input((4,)), Dense(8, activation="relu"), Dense(1)])
    >>> [layer.name for layer in model.layers][-1].startswith("dense")
    True
    >>> model.count_params()
    49
    """

    def __init__(self, layers=None, name=None):
        super().__init__(name=name)
        self._stack = []
        self._input_tensor = None
        if layers is not None and not isinstance(layers, (list, tuple)):
            raise TypeError(f"Sequential: layers must be a list such as [Dense(4)]; received "
                            f"{describe(layers)}.")
        for layer in layers or []:
            self.add(layer)

    def add(self, layer):
        """Append a layer (or, first, an ``Input``)."""
        if isinstance(layer, SymbolicTensor) and isinstance(layer.layer, InputLayer):
            if self._stack or self._input_tensor is not None:
                raise ValueError("Sequential.add: Input(...) can only be the first element.")
            self._input_tensor = layer
            return
        if not isinstance(layer, (Layer, Model)) or isinstance(layer, InputLayer):
            raise TypeError(f"Sequential.add: expected a layer such as Dense(4); received "
                            f"{describe(layer)}.")
        if isinstance(layer, _Merge):
            raise TypeError(f"Sequential.add: {type(layer).__name__} merges several inputs; use "
                            "the functional Model(inputs, outputs) for it.")
        if (not self._stack and self._input_tensor is None
                and getattr(layer, "_input_shape_arg", None)):
            self._input_tensor = Input(layer._input_shape_arg)  # Dense(4, input_shape=(3,))
        self._stack.append(layer)
        self._rebuild()

    def pop(self):
        """Remove the last layer and return it, as Keras."""
        if not self._stack:
            raise ValueError("Sequential.pop: the model has no layers to remove.")
        layer = self._stack.pop()
        if isinstance(layer, Layer):
            layer._inbound = None
        self._rebuild()
        return layer

    def _rebuild(self):
        if self.built or self._input_tensor is not None:
            self.built = False
            if self._stack:
                self._build_graph(self._input_tensor)

    def _build_graph(self, input_tensor):
        tensor = input_tensor
        for layer in self._stack:
            if isinstance(layer, Layer):
                layer._inbound = None  # rebuilding after add() reconnects the same layers
            tensor = layer(tensor)
        self._set_graph([input_tensor], tensor)

    def _ensure_built(self, x):
        if self.built:
            return
        if not self._stack:
            raise ValueError("Sequential: the model has no layers; add some with model.add(...).")
        if x is None:
            raise ValueError("Sequential: expected one input array.")
        array = np.asarray(x) if not isinstance(x, np.ndarray) else x
        if array.ndim < 2:
            raise ValueError(
                f"x: expected a 2D array of shape (batch_size, features); received shape "
                f"{array.shape}. Reshape a single feature with x.reshape(-1, 1).")
        self._input_tensor = Input(array.shape[1:])
        self._build_graph(self._input_tensor)

    @property
    def layers(self):
        """The layers added, in order (as Keras, without the input; a nested model is one)."""
        return list(self._stack)

    def _weight_layers(self):
        if self.built:
            return super()._weight_layers()
        return [w for layer in self._stack
                for w in (layer._weight_layers() if isinstance(layer, Model) else [layer])]

    def get_build_config(self):
        """``{"input_shape": (None, features)}`` once built, None before (as Keras)."""
        if not self.built:
            return None
        return {"input_shape": tuple(self._graph.inputs[0].shape)}

    def build(self, input_shape):
        """Build for inputs of ``input_shape`` = (None, features), as ``keras.Model.build``."""
        if not self.built:
            self._ensure_built(np.zeros((1,) + tuple(input_shape[1:])))
