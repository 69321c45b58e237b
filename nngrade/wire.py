"""Plain data across the process boundary between the grader and the learner's sandbox.

Only values that are plain data cross: ``None``, ``bool``, ``int``, ``float``, ``complex``, ``str``,
NumPy arrays and NumPy scalars of numeric, boolean or text dtypes, and ``list``, ``tuple`` and
``dict`` containers of those. Public functions and classes of ``nnlib`` (and NumPy) cross as their
import path. Everything else (objects with a custom ``__eq__``, subclasses of the built-in types,
modules, learner functions, object arrays) is refused with a :class:`WireError`.

Arrays travel as ``.npy`` bytes written by :func:`numpy.save` and read back with
``allow_pickle=False``, so decoding never runs code chosen by the sender. The rest is JSON. A
reference is looked up among the modules of an allow-list and never imports a module named by the
sender. Messages are size-capped on both sides: the receiver never holds more than the cap of
someone else's bytes (an oversized message is read and dropped in small pieces).

This module is loaded by the sandbox worker as a plain file as well as imported by the grader, so it
depends only on the standard library and NumPy.
"""

import importlib
import importlib.util
import io
import json
import struct
import sys
from pathlib import Path

import numpy as np

MAX_DEPTH = 64
MAX_HEADER_BYTES = 16 << 20  # the JSON part of one message
MAX_BLOB_BYTES = 64 << 20  # the arrays of one message, together
ARRAY_KINDS = "biufcUS"  # bool, signed, unsigned, float, complex, unicode, bytes (never object/void)
REFERENCE_ROOTS = ("nnlib", "numpy")
NUMPY_MODULES = ("numpy", "numpy.linalg", "numpy.random", "numpy.fft")


class WireError(TypeError):
    """A value that is not plain data was offered to, or came from, the other side."""


class MessageTooLarge(WireError):
    """A message over the size cap; it was dropped unread, and the channel is still in step."""


def reference_modules():
    """The modules whose public names may cross as references: NumPy's main ones and nnlib's own.

    nnlib's modules are listed from its folder without importing anything; a module outside this
    list is never imported on a reference's say-so.
    """
    allowed = set(NUMPY_MODULES) | {"nnlib"}
    spec = importlib.util.find_spec("nnlib")
    if spec is not None and spec.submodule_search_locations:
        for folder in spec.submodule_search_locations:
            for path in Path(folder).rglob("*.py"):  # nnlib.core.losses as well as nnlib.losses
                parts = path.relative_to(folder).with_suffix("").parts
                if parts[-1] == "__init__":
                    parts = parts[:-1]
                if parts and not any(part.startswith("_") for part in parts):
                    allowed.add(".".join(("nnlib", *parts)))
    return allowed


def _describe(value):
    kind = type(value)
    return f"{kind.__module__}.{kind.__qualname__}"


def _reference(value):
    """Return ``(module, qualname)`` when ``value`` is a public nnlib or NumPy function or class."""
    module = getattr(value, "__module__", None)
    qualname = getattr(value, "__qualname__", None) or getattr(value, "__name__", None)
    if isinstance(value, np.ufunc):
        module, qualname = "numpy", value.__name__
    if not isinstance(module, str) or not isinstance(qualname, str):
        return None
    if module.split(".")[0] not in REFERENCE_ROOTS:
        return None
    if any(part.startswith("_") for part in qualname.split(".")) or "<" in qualname:
        return None
    try:
        if resolve_reference(module, qualname) is not value:
            return None
    except WireError:
        return None
    return module, qualname


_ALLOWED = []


def resolve_reference(module, qualname):
    """Walk ``qualname`` in ``module``; only public names of the allow-listed modules are accepted."""
    if not _ALLOWED:
        _ALLOWED.append(reference_modules())
    if not isinstance(module, str) or module not in _ALLOWED[0]:
        raise WireError(f"refused a reference to {module!r}: only names of nnlib's modules and of "
                        f"{', '.join(NUMPY_MODULES)} may be passed")
    if not isinstance(qualname, str) or any(p.startswith("_") or not p.isidentifier() for p in qualname.split(".")):
        raise WireError(f"refused a reference to the non-public name {qualname!r}")
    try:
        target = sys.modules.get(module) or importlib.import_module(module)
        for part in qualname.split("."):
            target = getattr(target, part)
    except (ImportError, AttributeError) as error:
        raise WireError(f"cannot resolve {module}.{qualname}: {error}") from None
    if not callable(target):
        raise WireError(f"{module}.{qualname} is not a function or class")
    return target


def encode(value, max_bytes=None, grader=None):
    """Turn ``value`` into ``(tree, blobs)``: a JSON-able tree and a list of ``.npy`` byte strings.

    With ``max_bytes``, arrays adding up to more than that are refused with a :class:`WireError`.
    ``grader(function)`` may return a number for a reference that must stay in the grader: it then
    crosses as that number, and the other side calls back to use it (see ``nngrade.sandbox``).
    """
    blobs = []
    sizes = [0]

    def walk(item, depth):
        if depth > MAX_DEPTH:
            raise WireError(f"data nested deeper than {MAX_DEPTH} levels")
        kind = type(item)
        if item is None or kind in (bool, str):
            return {"t": "v", "v": item}
        if kind is int:
            return {"t": "int", "v": str(item)}
        if kind is float:
            return {"t": "float", "v": repr(item)}
        if kind is complex:
            return {"t": "complex", "v": [repr(item.real), repr(item.imag)]}
        if kind is np.ndarray or (isinstance(item, np.generic) and kind.__module__ == "numpy"):
            array = np.asarray(item)
            if array.dtype.kind not in ARRAY_KINDS:
                raise WireError(f"a NumPy array of dtype {array.dtype} is not plain data "
                                "(expected numbers, booleans or text)")
            sizes[0] += array.nbytes
            if max_bytes is not None and sizes[0] > max_bytes:
                raise WireError(f"the value holds {sizes[0] / 1e6:.0f} MB of arrays; at most "
                                f"{max_bytes / 1e6:.0f} MB may cross between the grader and the learner")
            buffer = io.BytesIO()
            np.save(buffer, np.array(array, order="C"), allow_pickle=False)
            blobs.append(buffer.getvalue())
            return {"t": "nd" if kind is np.ndarray else "np", "i": len(blobs) - 1}
        if kind in (list, tuple):
            return {"t": "list" if kind is list else "tuple", "v": [walk(x, depth + 1) for x in item]}
        if kind is dict:
            pairs = [[walk(k, depth + 1), walk(v, depth + 1)] for k, v in item.items()]
            return {"t": "dict", "v": pairs}
        if kind.__name__ == "GraderFunction" and type(getattr(item, "index", None)) is int:
            # One of the grader's kept functions, handed back to the grader inside a call back to it
            # (the learner's loop passes the reference loss it was given on to the reference epoch).
            return {"t": "grader", "i": item.index}
        if kind.__name__ == "LearnerFunction" and isinstance(getattr(item, "__name__", None), str):
            # A proxy for one of the learner's own functions, passed back to the learner's process.
            return {"t": "learner", "n": item.__name__}
        if callable(item):
            ref = _reference(item)
            if ref is not None:
                kept = grader(ref) if grader is not None else None
                if kept is not None:
                    return {"t": "grader", "i": kept}
                return {"t": "ref", "m": ref[0], "q": ref[1]}
        raise WireError(
            f"a value of type {_describe(item)} is not plain data; expected a number, a string, "
            "a NumPy array, or a list, tuple or dict of those"
        )

    return walk(value, 0), blobs


def decode(tree, blobs, learner=None, grader=None):
    """Rebuild the value described by ``tree``; arrays come from ``blobs`` without unpickling.

    ``learner`` resolves the names of the learner's own functions and ``grader`` the numbers of the
    grader's kept functions. The learner's process passes both; the grader passes only ``grader``, and
    only while answering a call back, where the numbers index the functions that very call handed over.
    """

    def walk(node, depth):
        if depth > MAX_DEPTH or type(node) is not dict:
            raise WireError("malformed data from the other side")
        tag = node.get("t")
        if tag == "v":
            value = node["v"]
            if value is not None and type(value) not in (bool, str):
                raise WireError("malformed data from the other side")
            return value
        if tag == "int":
            return int(node["v"])
        if tag == "float":
            return float(node["v"])
        if tag == "complex":
            return complex(float(node["v"][0]), float(node["v"][1]))
        if tag in ("nd", "np"):
            array = np.load(io.BytesIO(blobs[int(node["i"])]), allow_pickle=False)
            if array.dtype.kind not in ARRAY_KINDS:
                raise WireError(f"refused an array of dtype {array.dtype}")
            return array if tag == "nd" else array[()]
        if tag == "list":
            return [walk(x, depth + 1) for x in node["v"]]
        if tag == "tuple":
            return tuple(walk(x, depth + 1) for x in node["v"])
        if tag == "dict":
            result = {}
            for key, value in node["v"]:
                key = walk(key, depth + 1)
                try:
                    hash(key)
                except TypeError:
                    raise WireError("a dict key that is not hashable came across") from None
                result[key] = walk(value, depth + 1)
            return result
        if tag == "ref":
            return resolve_reference(node["m"], node["q"])
        if tag == "learner" and learner is not None:
            return learner(str(node["n"]))
        if tag == "grader" and grader is not None and type(node.get("i")) is int:
            return grader(node["i"])
        raise WireError(f"unknown data tag {tag!r}")

    return walk(tree, 0)


# Framing: 4-byte header length, JSON header, then each blob as 8-byte length + bytes.

def write_message(stream, header, blobs=()):
    """Send one message (a JSON-able dict and optional binary blobs) on a binary stream."""
    header = dict(header, nblobs=len(blobs))
    data = json.dumps(header).encode()
    parts = [struct.pack("!I", len(data)), data]
    for blob in blobs:
        parts.append(struct.pack("!Q", len(blob)))
        parts.append(blob)
    stream.write(b"".join(parts))
    stream.flush()


def _read_exact(stream, count):
    chunks = []
    while count:
        chunk = stream.read(count)
        if not chunk:
            raise EOFError("the other side closed the channel")
        chunks.append(chunk)
        count -= len(chunk)
    return b"".join(chunks)


def _discard(stream, count):
    while count:
        chunk = stream.read(min(count, 1 << 20))
        if not chunk:
            raise EOFError("the other side closed the channel")
        count -= len(chunk)


def read_message(stream, max_header=MAX_HEADER_BYTES, max_blobs=MAX_BLOB_BYTES):
    """Receive one message written by :func:`write_message`; returns ``(header, blobs)``.

    Blobs over ``max_blobs`` in total are read and dropped in pieces, then :class:`MessageTooLarge`
    says so: the reader's memory never holds more than the caps, and the next message is in step.
    A header over ``max_header`` raises :class:`WireError` (the channel is then out of step).
    """
    (size,) = struct.unpack("!I", _read_exact(stream, 4))
    if size > max_header:
        raise WireError(f"a message header of {size} bytes (at most {max_header} accepted)")
    try:
        header = json.loads(_read_exact(stream, size))
    except (ValueError, RecursionError):
        raise WireError("malformed message") from None
    if type(header) is not dict:
        raise WireError("malformed message")
    count = header.get("nblobs", 0)
    if type(count) is not int or not 0 <= count <= 1 << 16:
        raise WireError("malformed message")
    blobs, total, dropped = [], 0, False
    for _ in range(count):
        (length,) = struct.unpack("!Q", _read_exact(stream, 8))
        total += length
        if dropped or total > max_blobs:
            dropped = True
            _discard(stream, length)
            continue
        blobs.append(_read_exact(stream, length))
    if dropped:
        raise MessageTooLarge(f"{total / 1e6:.0f} MB of array data came back; at most "
                              f"{max_blobs / 1e6:.0f} MB is accepted")
    return header, blobs
