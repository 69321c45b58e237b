"""The Keras names nnlib refuses, module by module, with what each one is.

Everything else Keras 3 exports in these modules nnlib provides, with Keras's numbers. The table
is the data behind three things:

* each module's ``__getattr__`` (installed by :func:`install`), so that ``keras.layers.Conv2D``
  raises :class:`nnlib._scope.OutOfScopeError` naming the piece, never an ``AttributeError``;
* ``tests/keras/test_surface_table.py``, which lists real Keras's public names and checks that
  each one is either provided (with a parity test) or in this table;
* ``docs/keras-surface.json``, the supported/refused page, written by ``tools/keras_surface.py``.

A name moves out of this table when nnlib implements it, together with its parity test.
"""

import importlib
import importlib.util

from nnlib._scope import out_of_scope, refuse_missing

__all__ = ["REFUSED", "MODULES", "install"]


def _each(what, names):
    return dict.fromkeys(names.split(), what)


CONV = "a convolutional layer"
POOL = "a pooling layer for images, sequences or volumes"
RNN = "a recurrent layer"
ATTENTION = "an attention layer"
AUGMENT = "an image preprocessing or augmentation layer"
TEXT = "a text or category preprocessing layer"
AUDIO = "an audio preprocessing layer"
SHAPE = "a reshaping layer for images or sequences"
BACKEND = "a wrapper around another framework's model"
AUTODIFF = "a layer that runs arbitrary code, which needs automatic differentiation"

# keras module -> the nnlib module that stands for it ("keras" itself is nnlib's top level)
MODULES = {"layers": "nnlib.layers", "activations": "nnlib.activations",
           "initializers": "nnlib.initializers", "optimizers": "nnlib.optimizers",
           "optimizers.schedules": "nnlib.schedules", "losses": "nnlib.losses",
           "metrics": "nnlib.metrics", "callbacks": "nnlib.callbacks",
           "regularizers": "nnlib.regularizers", "utils": "nnlib.utils", "models": "nnlib.models",
           "saving": "nnlib.saving", "Model": "nnlib.models"}

REFUSED = {
    "keras": {
        **_each("Keras's backend machinery",
                "DTypePolicy FloatDTypePolicy Function InputSpec KerasTensor Operation Quantizer "
                "RematScope StatelessScope SymbolicScope Variable backend device distribution "
                "dtype_policies mixed_precision name_scope quantizers remat tree random"),
        "applications": "pretrained image models",
        "preprocessing": "image, text and sequence preprocessing",
        "constraints": "weight constraints",
        "export": "exporting for serving (TensorFlow SavedModel, ONNX)",
        "distillation": "knowledge distillation",
        "visualization": "drawing images and bounding boxes",
        "wrappers": "scikit-learn wrappers",
        "legacy": "Keras 2's APIs",
    },
    "layers": {
        **_each(CONV, "Conv1D Conv1DTranspose Conv2D Conv2DTranspose Conv3D Conv3DTranspose "
                      "Convolution1D Convolution1DTranspose Convolution2D Convolution2DTranspose "
                      "Convolution3D Convolution3DTranspose DepthwiseConv1D DepthwiseConv2D "
                      "SeparableConv1D SeparableConv2D SeparableConvolution1D "
                      "SeparableConvolution2D"),
        **_each(POOL, "AdaptiveAveragePooling1D AdaptiveAveragePooling2D AdaptiveAveragePooling3D "
                      "AdaptiveMaxPooling1D AdaptiveMaxPooling2D AdaptiveMaxPooling3D "
                      "AveragePooling1D AveragePooling2D AveragePooling3D AvgPool1D AvgPool2D "
                      "AvgPool3D GlobalAveragePooling1D GlobalAveragePooling2D "
                      "GlobalAveragePooling3D GlobalAvgPool1D GlobalAvgPool2D GlobalAvgPool3D "
                      "GlobalMaxPool1D GlobalMaxPool2D GlobalMaxPool3D GlobalMaxPooling1D "
                      "GlobalMaxPooling2D GlobalMaxPooling3D MaxPool1D MaxPool2D MaxPool3D "
                      "MaxPooling1D MaxPooling2D MaxPooling3D"),
        **_each(RNN, "ConvLSTM1D ConvLSTM2D ConvLSTM3D GRU GRUCell LSTM LSTMCell RNN SimpleRNN "
                     "SimpleRNNCell StackedRNNCells Bidirectional TimeDistributed"),
        **_each(ATTENTION, "AdditiveAttention Attention GroupQueryAttention MultiHeadAttention"),
        **_each(AUGMENT, "AugMix AutoContrast CenterCrop ContrastLimitedAdaptiveHistogramEqualization "
                         "CutMix Equalization MaxNumBoundingBoxes MixUp Pipeline RandAugment "
                         "RandomBrightness RandomColorDegeneration RandomColorJitter RandomContrast "
                         "RandomCrop RandomElasticTransform RandomErasing RandomFlip "
                         "RandomGaussianBlur RandomGrayscale RandomHue RandomInvert "
                         "RandomPerspective RandomPosterization RandomRotation RandomSaturation "
                         "RandomSharpness RandomShear RandomTranslation RandomZoom Resizing "
                         "Solarization"),
        **_each(TEXT, "CategoryEncoding Discretization HashedCrossing Hashing IntegerLookup "
                      "StringLookup TextVectorization Embedding ReversibleEmbedding Masking"),
        **_each(AUDIO, "MelSpectrogram STFTSpectrogram"),
        **_each(SHAPE, "Cropping1D Cropping2D Cropping3D UpSampling1D UpSampling2D UpSampling3D "
                       "ZeroPadding1D ZeroPadding2D ZeroPadding3D Permute RepeatVector Reshape "
                       "SpatialDropout1D SpatialDropout2D SpatialDropout3D"),
        **_each(BACKEND, "FlaxLayer JaxLayer TFSMLayer TorchModuleWrapper Wrapper"),
        "Lambda": AUTODIFF,
        "EinsumDense": "a layer defined by an einsum equation",
        "InputSpec": "Keras's input checking for custom layers",
        "ActivityRegularization": "a penalty on a layer's outputs",
        **_each("a normalization layer other than BatchNormalization",
                "GroupNormalization LayerNormalization RMSNormalization SpectralNormalization "
                "UnitNormalization"),
    },
    "activations": {
        "glu": "an activation that halves the features (gated linear unit)",
        "sparsemax": "a row-wise activation other than softmax",
    },
    "initializers": _each("an initializer for audio spectrogram layers",
                          "STFT STFTInitializer stft"),
    "optimizers": {
        "Muon": "an optimizer for matrix-shaped weights of large models (orthogonalized steps)",
        "ScheduleFreeAdamW": "an optimizer that replaces learning-rate schedules by averaging",
        "LossScaleOptimizer": "mixed-precision loss scaling (nnlib computes in float32 or "
                              "float64)",
        **_each("several optimizers for parts of one model", "MultiOptimizer OptimizerMap"),
        "legacy": "Keras 2's optimizers",
        **_each("Keras's optimizer serialization", "serialize deserialize"),
    },
    "optimizers.schedules": {
        **_each("Keras's schedule serialization", "serialize deserialize"),
    },
    "losses": {
        **_each("a loss for sequences, images or sets", "CTC ctc Circle circle Dice dice "
                                                         "Tversky tversky"),
        **_each("Keras's loss serialization", "serialize deserialize"),
    },
    "metrics": {
        **_each("a segmentation metric for images", "BinaryIoU IoU MeanIoU OneHotIoU "
                                                    "OneHotMeanIoU"),
        **_each("Keras's metric serialization", "serialize deserialize"),
    },
    "callbacks": {
        "TensorBoard": "logging to TensorBoard, an external service",
        "RemoteMonitor": "sending logs to a remote server",
        "OrbaxCheckpoint": "checkpoints through JAX's Orbax library",
        "BackupAndRestore": "resuming an interrupted fit from a backup folder",
        "SwapEMAWeights": "swapping in an optimizer's moving-average weights",
        "ProgbarLogger": "Keras's own progress-bar callback (nnlib's fit draws its bar itself: "
                         "verbose=1)",
    },
    "regularizers": _each("a penalty keeping a kernel's columns orthogonal",
                          "OrthogonalRegularizer orthogonal_regularizer"),
    "utils": {
        **_each("loading images, text or audio from folders",
                "audio_dataset_from_directory image_dataset_from_directory "
                "text_dataset_from_directory timeseries_dataset_from_array load_img save_img "
                "img_to_array array_to_img bounding_boxes"),
        **_each("a data pipeline class", "PyDataset Sequence FeatureSpace split_dataset "
                                         "pack_x_y_sample_weight unpack_x_y_sample_weight"),
        "pad_sequences": "padding sequences for recurrent layers",
        "get_file": "downloading files from the internet",
        **_each("Keras's registry of custom objects for saving",
                "CustomObjectScope custom_object_scope get_custom_objects get_registered_name "
                "get_registered_object register_keras_serializable serialize_keras_object "
                "deserialize_keras_object Config"),
        **_each("Keras's backend state", "clear_session standardize_dtype is_keras_tensor "
                                         "get_source_inputs legacy"),
        **_each("switching Keras's interactive logging",
                "disable_interactive_logging enable_interactive_logging "
                "is_interactive_logging_enabled"),
        "model_to_dot": "a pydot graph of the model (nnlib's plot_model draws without Graphviz)",
    },
    "models": {},  # clone_model, load_model, model_from_json, save_model and the two classes
    "saving": {
        **_each("Keras's registry and serialization of custom objects (nnlib's files hold its "
                "own layers, losses and metrics, which it reads without a registry)",
                "CustomObjectScope custom_object_scope deserialize_keras_object "
                "get_custom_objects get_registered_name get_registered_object "
                "register_keras_serializable serialize_keras_object"),
        "KerasFileEditor": "an editor for the contents of .keras files",
    },
    "Model": {
        **_each("a custom training step (nnlib's train_step takes x and y batches)",
                "test_step predict_step make_train_function make_test_function "
                "make_predict_function compute_loss_and_updates stateless_compute_loss"),
        **_each("JAX's stateless, traced computation",
                "stateless_call symbolic_call compute_output_spec jax_state_sync "
                "rematerialized_call jit_compile"),
        **_each("quantization", "quantize quantized_build quantized_call quantization_mode "
                                "get_quantization_layer_structure"),
        **_each("exporting for serving (TensorFlow SavedModel, ONNX)", "export"),
        **_each("extra losses and metrics added from inside a layer", "add_loss add_metric "
                                                                     "losses"),
        **_each("Keras's variables and mixed-precision policies",
                "add_variable add_weight variables trainable_variables non_trainable_variables "
                "metrics_variables dtype dtype_policy compute_dtype variable_dtype input_dtype "
                "get_state_tree set_state_tree path"),
        **_each("Keras's masks and input specs for sequences", "compute_mask supports_masking "
                                                               "input_spec"),
        "run_eagerly": "switching off compilation (nnlib has no compiled step: NumPy always runs "
                       "eagerly)",
        **_each("Keras's saving protocol for a layer's own variables (nnlib.saving writes and "
                "reads every weight itself)", "load_own_variables save_own_variables"),
    },
}


def install():
    """Give each nnlib module (and ``Model``) the ``__getattr__`` that refuses its table's names;
    a name nnlib defines is never refused (the module's own attribute is found first)."""
    for keras_module, nnlib_module in {"keras": "nnlib", **MODULES}.items():
        if keras_module == "Model" or importlib.util.find_spec(nnlib_module) is None:
            continue
        module = importlib.import_module(nnlib_module)
        submodules = getattr(module, "__path__", None) is not None
        refused = {n: w for n, w in REFUSED[keras_module].items() if n not in vars(module)
                   and not (submodules and importlib.util.find_spec(f"{nnlib_module}.{n}"))}
        public = "keras" if keras_module == "keras" else f"keras.{keras_module}"
        module.__getattr__ = refuse_missing(public, refused)
    from nnlib.models import Model  # noqa: PLC0415 (models imports the modules above)
    refused_methods = REFUSED["Model"]

    def __getattr__(self, name):
        if name in refused_methods:
            raise out_of_scope(f"keras.Model.{name} ({refused_methods[name]})")
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    Model.__getattr__ = __getattr__


def _keras_names(keras, keras_module):
    """Keras's public names in `keras_module` ("layers", "optimizers.schedules", "Model")."""
    if keras_module == "Model":
        return sorted(n for n in dir(keras.Model) if not n.startswith("_"))
    module = keras
    for part in keras_module.split("."):
        module = getattr(module, part)
    return sorted(n for n in dir(module) if not n.startswith("_"))


def _provided(keras_module, name):
    """Whether nnlib defines `name` itself (a refusal is not a definition)."""
    if keras_module == "Model":
        from nnlib.layers import Dense, Input  # noqa: PLC0415
        from nnlib.models import Sequential  # noqa: PLC0415
        model = Sequential([Input((2,)), Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        return name in dir(model)
    if importlib.util.find_spec(MODULES[keras_module]) is None:
        return False  # the whole module is missing: its names are refused through nnlib's own
    module = importlib.import_module(MODULES[keras_module])
    return name in vars(module) or (getattr(module, "__path__", None) is not None
                                    and importlib.util.find_spec(f"{module.__name__}.{name}"))


def table(keras):
    """Per Keras module, Keras's public names split into ``supported`` (nnlib provides them) and
    ``refused`` (name -> what it is); ``unclassified`` lists names in neither (must be empty)."""
    rows = {}
    for keras_module in MODULES:
        supported, refused, unclassified = [], {}, []
        for name in _keras_names(keras, keras_module):
            if _provided(keras_module, name):
                supported.append(name)
            elif name in REFUSED[keras_module]:
                refused[name] = REFUSED[keras_module][name]
            else:
                unclassified.append(name)
        rows[keras_module] = {"supported": supported, "refused": refused,
                              "unclassified": unclassified}
    return {"keras_version": keras.__version__, "modules": rows}
