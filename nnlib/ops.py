"""``keras.ops`` for metrics: NumPy's functions under Keras's names.

Keras's guides write custom metrics and losses with ``keras.ops`` (``ops.mean``, ``ops.square``...),
so that the same code runs on JAX, TensorFlow or PyTorch. In nnlib they are NumPy's functions, so a
metric written that way just works::

    from nnlib import ops

    def mean_squared_difference(y_true, y_pred):
        return ops.mean(ops.square(y_true - y_pred), axis=-1)

    model.compile(optimizer="adam", loss="mse", metrics=[mean_squared_difference])

A *loss* written with ops is another matter: Keras trains it by differentiating the ops
automatically, and nnlib has no automatic differentiation (every gradient in the course is written
by hand). ``compile(loss=that_function)`` says so and shows how to give the gradient as a
:class:`nnlib.losses.Loss` subclass. Keras's other ops are NumPy's function of the same name where NumPy has one
(``ops.cumsum``); the rest (convolutions, ``stop_gradient``, ``custom_gradient``...) are refused at
first use with that explanation.

Examples
--------
>>> import numpy as np
>>> from nnlib import ops
>>> ops.mean(ops.square(np.array([[1.0, 3.0]]) - np.array([[0.0, 1.0]])), axis=-1)
array([2.5])
"""

import numpy as np

from nnlib import activations, config
from nnlib._scope import out_of_scope

# elementwise arithmetic and functions
abs = np.abs  # noqa: A001 (Keras's name)
absolute, add, subtract, multiply, divide = np.abs, np.add, np.subtract, np.multiply, np.divide
true_divide, negative, power, square, sqrt = np.true_divide, np.negative, np.power, np.square, np.sqrt
exp, expm1, log, log1p, log2, log10 = np.exp, np.expm1, np.log, np.log1p, np.log2, np.log10
sign, floor, ceil, clip, round = np.sign, np.floor, np.ceil, np.clip, np.round  # noqa: A001
maximum, minimum, where, tanh, sin, cos = np.maximum, np.minimum, np.where, np.tanh, np.sin, np.cos
equal, not_equal, greater, greater_equal = np.equal, np.not_equal, np.greater, np.greater_equal
less, less_equal, isnan, isfinite = np.less, np.less_equal, np.isnan, np.isfinite
logical_and, logical_or, logical_not = np.logical_and, np.logical_or, np.logical_not
# reductions
mean, sum, max, min, prod = np.mean, np.sum, np.max, np.min, np.prod  # noqa: A001
std, var, argmax, argmin, any, all = np.std, np.var, np.argmax, np.argmin, np.any, np.all  # noqa: A001
# shapes
reshape, squeeze, expand_dims, transpose = np.reshape, np.squeeze, np.expand_dims, np.transpose
concatenate, stack, zeros_like, ones_like = np.concatenate, np.stack, np.zeros_like, np.ones_like
shape, size, matmul, dot = np.shape, np.size, np.matmul, np.dot
# the activations, from nnlib's own
relu, sigmoid, softmax = activations.relu, activations.sigmoid, activations.softmax


def convert_to_tensor(x, dtype=None):
    """An array (Keras's tensor), of `dtype` or float when `x` holds floats."""
    array = np.asarray(x, dtype=dtype)
    return array.astype(config.floatx()) if dtype is None and array.dtype == np.float64 else array


def convert_to_numpy(x):
    return np.asarray(x)


def cast(x, dtype):
    return np.asarray(x).astype(dtype)


# keras.ops names that neither NumPy nor this module has: refused by name at first use
_REFUSED = set("""
adaptive_average_pool adaptive_max_pool associative_scan average_pool batch_normalization
binary_crossentropy categorical_crossentropy cdist celu cholesky cholesky_inverse cond conv
conv_transpose ctc_decode ctc_loss custom_gradient depth_to_space depthwise_conv det
divide_no_nan dot_product_attention eig eigh elu erf erfc erfinv extract_sequences fft fft2
fold fori_loop gelu get_item glu hard_shrink hard_sigmoid hard_silu hard_swish hard_tanh
ifft2 image in_top_k inv irfft is_tensor istft jvp layer_normalization leaky_relu linalg
log_sigmoid log_softmax logdet logsumexp lstsq lu_factor map matrix_rank max_pool moments
multi_hot nn norm normalize numpy one_hot pinv polar psnr qr rearrange relu6 rfft
rms_normalization rsqrt saturate_cast scan scatter scatter_update segment_max segment_min
segment_prod segment_sum selu separable_conv silu slice slice_update slogdet soft_shrink
softplus softsign solve solve_triangular space_to_depth sparse_categorical_crossentropy
sparse_plus sparse_sigmoid sparsemax squareplus stft stop_gradient svd swish switch
tanh_shrink threshold top_k unfold vectorized_map view view_as_complex view_as_real
while_loop""".split())


def __getattr__(name):
    """Keras's other ops: NumPy's function of the same name (``ops.cumsum``), or the refusal."""
    if name in _REFUSED:
        raise out_of_scope(f"keras.ops.{name}",
                           "nnlib.ops has NumPy's functions for metrics, and no automatic "
                           "differentiation")
    function = getattr(np, name, None) if not name.startswith("_") else None
    if callable(function):
        return function
    raise AttributeError(f"module 'keras.ops' (nnlib) has no attribute {name!r}")
