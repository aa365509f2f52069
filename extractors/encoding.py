"""Properties, ids and annotations as plain JSON for manifests: exact for numbers (bytes in base64), no NaN literals."""

from __future__ import annotations

import base64
import math
from pathlib import Path
from typing import Any

import numpy as np

_ARRAY = "__ndarray__"
_FLOAT = "__float__"


class NotSerializableError(TypeError):
    """A property or annotation value that a manifest cannot hold."""


def encode_array(array: np.ndarray, name: str = "array") -> dict:
    """A numpy array as JSON: dtype, shape and the C-order bytes in base64 (exact, NaN-safe).

    Object arrays are kept as a list of plain values (strings, numbers, booleans, None).
    """
    array = np.asarray(array)
    if array.dtype.kind == "T":
        # numpy's variable-width strings: keep them as fixed-width unicode
        array = array.astype(str)
    if array.dtype.kind == "O":
        return {"shape": list(array.shape), "objects": [encode_value(v, name) for v in array.ravel().tolist()]}
    if array.dtype.hasobject:
        raise NotSerializableError(f"{name} has a dtype holding Python objects ({array.dtype}); it cannot be shared")
    descr = np.lib.format.dtype_to_descr(array.dtype)
    data = base64.b64encode(np.ascontiguousarray(array).tobytes()).decode("ascii")
    return {"dtype": descr, "shape": list(array.shape), "base64": data}


def decode_array(encoded: dict) -> np.ndarray:
    """The array that ``encode_array`` encoded."""
    shape = tuple(encoded["shape"])
    if "objects" in encoded:
        values = [decode_value(v) for v in encoded["objects"]]
        array = np.empty(len(values), dtype=object)
        array[:] = values
        return array.reshape(shape)
    dtype = np.lib.format.descr_to_dtype(_as_descr(encoded["dtype"]))
    data = base64.b64decode(encoded["base64"])
    return np.frombuffer(data, dtype=dtype).reshape(shape).copy()


def encode_value(value: Any, name: str = "value") -> Any:
    """A JSON-ready form of an annotation value: plain values, lists, dicts, numpy scalars and arrays."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.generic):
        value = value.item()
        if isinstance(value, (bytes, np.generic)):
            raise NotSerializableError(f"{name} holds {value!r}, which cannot be shared")
        return encode_value(value, name)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {_FLOAT: repr(value)}
    if isinstance(value, np.ndarray):
        return {_ARRAY: encode_array(value, name)}
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [encode_value(v, name) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise NotSerializableError(f"{name} is a dict with keys that are not strings; it cannot be shared")
        return {k: encode_value(v, f"{name}[{k!r}]") for k, v in value.items()}
    raise NotSerializableError(f"{name} holds a value of type {type(value).__name__}, which cannot be shared")


def decode_value(value: Any) -> Any:
    """The value that ``encode_value`` encoded (tuples come back as lists)."""
    if isinstance(value, list):
        return [decode_value(v) for v in value]
    if isinstance(value, dict):
        if set(value) == {_ARRAY}:
            return decode_array(value[_ARRAY])
        if set(value) == {_FLOAT}:
            return float(value[_FLOAT])
        return {k: decode_value(v) for k, v in value.items()}
    return value


def _as_descr(descr: Any) -> Any:
    # JSON turns the (name, format[, shape]) tuples of a structured dtype's descr into lists.
    if not isinstance(descr, list):
        return descr
    fields = []
    for name, fmt, *shape in descr:
        field = (name, _as_descr(fmt)) + ((tuple(shape[0]),) if shape else ())
        fields.append(field)
    return fields
