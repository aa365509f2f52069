"""What a handler returns: JSON-able values with numpy arrays of the figure dtypes, and an optional binary payload."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from spikeinterface_sortingview.views.encoding import ALLOWED_DTYPES, to_json_value

# The figure format never writes int64 or float64 (docs/figure-format.md, arrays); handlers narrow them.
_NARROWED_DTYPES = {"int64": "int32", "uint64": "uint32", "float64": "float32", "bool": "uint8"}


def as_result_array(array: np.ndarray) -> np.ndarray:
    """Cast an array to the dtype the figure format allows (int64 -> int32, float64 -> float32)."""
    array = np.asarray(array)
    target = _NARROWED_DTYPES.get(array.dtype.name)
    if target is not None:
        return array.astype(target)
    if array.dtype.name not in ALLOWED_DTYPES:
        raise TypeError(
            f"a handler result cannot hold a {array.dtype.name} array (allowed: {', '.join(ALLOWED_DTYPES)})"
        )
    return array


def _narrow(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return as_result_array(value)
    if isinstance(value, Mapping):
        return {key: _narrow(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_narrow(item) for item in value]
    return value


@dataclass
class HandlerResult:
    """A handler's answer.

    Parameters
    ----------
    data : dict
        JSON-able values (str keys) and numpy arrays. Arrays are narrowed on construction
        to the figure dtypes (``uint8, int16, uint16, int32, uint32, float32``).
    payload : bytes | np.ndarray | None
        Raw bytes sent after the JSON line in a service-query reply (e.g. traces as float32).
        A C-contiguous array stands for its raw little-endian bytes: it is kept as an array so
        that it crosses Ray and reaches the HTTP response without a copy (copying 46 MB of
        traces into a ``bytes`` costs more than reading them).

    Notes
    -----
    ``to_json()`` gives the task-style result: arrays encoded as ``{"_type": "ndarray", ...}``.
    ``payload_view()`` gives the payload's bytes without copying (Starlette's ``Response``
    accepts a memoryview); ``payload_bytes()`` copies them into ``bytes``.
    """

    data: dict[str, Any]
    payload: bytes | np.ndarray | None = field(default=None)

    def __post_init__(self) -> None:
        self.data = _narrow(self.data)
        if isinstance(self.payload, np.ndarray):
            if not self.payload.flags.c_contiguous or self.payload.dtype.byteorder == ">":
                raise TypeError("an array payload must be C-contiguous and little-endian")
            self.payload = as_result_array(self.payload)
        elif self.payload is not None and not isinstance(self.payload, bytes):
            raise TypeError(f"payload must be bytes or a numpy array, got {type(self.payload).__name__}")

    def to_json(self) -> dict:
        """The data as plain JSON values, arrays in the sortingview ndarray encoding."""
        return to_json_value(self.data)

    def payload_view(self) -> memoryview | None:
        """The payload's raw bytes as a flat memoryview, without copying."""
        if self.payload is None:
            return None
        return memoryview(self.payload).cast("B")

    def payload_bytes(self) -> bytes | None:
        """The payload's raw bytes (a copy when it is an array)."""
        if self.payload is None or isinstance(self.payload, bytes):
            return self.payload
        return self.payload.tobytes()
