"""Only plain data crosses between the grader and the learner's process."""

import io

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from nngrade import wire


def roundtrip(value):
    tree, blobs = wire.encode(value)
    stream = io.BytesIO()
    wire.write_message(stream, {"value": tree}, blobs)
    stream.seek(0)
    header, received = wire.read_message(stream)
    return wire.decode(header["value"], received)


@given(hnp.arrays(dtype=st.sampled_from([np.float32, np.float64, np.int64, np.bool_]),
                  shape=hnp.array_shapes(min_dims=0, max_dims=3, max_side=4)))
def test_arrays_come_back_with_the_same_dtype_shape_and_values(array):
    back = roundtrip(array)
    assert type(back) is np.ndarray and back.dtype == array.dtype and back.shape == array.shape
    np.testing.assert_array_equal(back, array)


def test_nested_containers_numbers_and_numpy_scalars_keep_their_types():
    value = {"loss": np.float32(0.25), "history": [1, 2.5, None, True, "x"], (1, 2): (3 + 4j,), 7: float("nan")}
    back = roundtrip(value)
    assert type(back["loss"]) is np.float32 and back["loss"] == np.float32(0.25)
    assert back["history"] == [1, 2.5, None, True, "x"] and type(back["history"][0]) is int
    assert back[(1, 2)] == (3 + 4j,) and np.isnan(back[7])


class AlwaysEqual:
    def __eq__(self, other):
        return True


class SneakyList(list):
    def __eq__(self, other):
        return True


@pytest.mark.parametrize("value", [AlwaysEqual(), SneakyList([1]), np, print, np.array([AlwaysEqual()]),
                                   np.ma.masked_array([1.0]), {"k": object()}, lambda x: x])
def test_anything_that_is_not_plain_data_is_refused_with_its_type(value):
    with pytest.raises(wire.WireError, match="not plain data|refused|dtype"):
        wire.encode(value)


def test_public_nnlib_and_numpy_functions_cross_as_references():
    assert roundtrip([np.tanh, np.linalg.norm]) == [np.tanh, np.linalg.norm]
    with pytest.raises(wire.WireError, match="only names of nnlib's modules"):
        wire.resolve_reference("os", "system")
    with pytest.raises(wire.WireError, match="non-public"):
        wire.resolve_reference("numpy", "_core.multiarray")


def test_pickled_object_arrays_cannot_be_smuggled_in():
    stream = io.BytesIO()
    np.save(stream, np.array([AlwaysEqual()], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError):
        wire.decode({"t": "nd", "i": 0}, [stream.getvalue()])


def test_a_learner_function_goes_back_to_the_learner_by_name_and_never_into_the_grader():
    class LearnerFunction:  # the grader's proxy type, as nngrade.engine defines it
        __name__ = "loss"

    tree, blobs = wire.encode([LearnerFunction(), 2.0])
    assert wire.decode(tree, blobs, learner=lambda name: f"<{name} in the sandbox>") == ["<loss in the sandbox>", 2.0]
    with pytest.raises(wire.WireError, match="unknown data tag 'learner'"):
        wire.decode(tree, blobs)


def test_a_reference_never_imports_a_module_outside_the_allow_list():
    """``numpy.f2py.__main__`` runs f2py's command line when imported: a reply may not name it."""
    import sys

    sys.modules.pop("numpy.f2py.__main__", None)
    for module in ("numpy.f2py.__main__", "numpy.f2py", "nnlib.testing.sys", "nnlibx"):
        with pytest.raises(wire.WireError, match="refused a reference"):
            wire.decode({"t": "ref", "m": module, "q": "main"}, [])
    assert "numpy.f2py.__main__" not in sys.modules
    import nnlib.activations

    assert wire.decode({"t": "ref", "m": "nnlib.activations", "q": "relu"}, []) is nnlib.activations.relu


def test_oversized_array_data_is_dropped_in_pieces_and_the_channel_stays_in_step():
    stream = io.BytesIO()
    wire.write_message(stream, {"n": 1}, [b"x" * 3000, b"y" * 3000])
    wire.write_message(stream, {"n": 2}, [b"z" * 10])
    stream.seek(0)
    with pytest.raises(wire.MessageTooLarge, match="at most"):
        wire.read_message(stream, max_blobs=4000)
    assert wire.read_message(stream, max_blobs=4000) == ({"n": 2, "nblobs": 1}, [b"z" * 10])


def test_an_oversized_header_or_a_bad_blob_count_is_refused():
    stream = io.BytesIO()
    wire.write_message(stream, {"text": "a" * 5000})
    stream.seek(0)
    with pytest.raises(wire.WireError, match="header"):
        wire.read_message(stream, max_header=1000)
    stream = io.BytesIO()
    wire.write_message(stream, {})
    data = stream.getvalue().replace(b'"nblobs": 0', b'"nblobs":-1')
    with pytest.raises(wire.WireError, match="malformed"):
        wire.read_message(io.BytesIO(data))


def test_the_sender_refuses_arrays_over_its_cap_with_the_sizes():
    with pytest.raises(wire.WireError, match="2 MB of arrays; at most 1 MB"):
        wire.encode([np.zeros(125_000), np.zeros(125_000)], max_bytes=1_000_000)
