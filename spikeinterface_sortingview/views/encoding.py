"""The sortingview JSON encoding: ndarray objects, allowed dtypes, deterministic bytes."""

from __future__ import annotations

import base64
import hashlib
import json
import math
import os
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import numpy as np

T = TypeVar("T")
R = TypeVar("R")

ALLOWED_DTYPES = ("uint8", "int16", "uint16", "int32", "uint32", "float32")
# numpy 2's ``dtype.name`` is slow (~20 µs): a figure checks tens of thousands of arrays, so names are looked up.
_DTYPE_NAMES = {np.dtype(name).newbyteorder(order): name for name in (*ALLOWED_DTYPES, "float64") for order in "<="}
# Arrays at least this large are zlib-compressed when that makes them smaller; level 1 is about as
# small as level 6 on spike data and twice as fast. Smaller ones (a correlogram's 50 counts, a bin edge array) are
# written raw: at 1,000 units a summary has 38,000 of them, and compressing each (to about half) took 0.7 s to
# write and seconds to inflate in the page, for 3 MB.
COMPRESS_MIN_BYTES = 512
ZLIB_LEVEL = 1


class FigureDataError(ValueError):
    """Data that the sortingview figure format cannot hold."""


def check_array(
    value: object,
    name: str,
    ndim: int | None = None,
    dtypes: Sequence[str] = ALLOWED_DTYPES,
) -> np.ndarray:
    """Validate an array field and return it as a C-contiguous little-endian numpy array.

    Parameters
    ----------
    value : np.ndarray
        The array to check.
    name : str
        The field name, used in error messages.
    ndim : int | None
        Required number of dimensions, if any.
    dtypes : sequence of str
        Allowed dtype names; ``float64`` only where a field opts in.
    """
    if not isinstance(value, np.ndarray):
        raise FigureDataError(f"{name} must be a numpy array, got {type(value).__name__}")
    dtype_name = _DTYPE_NAMES.get(value.dtype) or value.dtype.name
    if dtype_name not in dtypes:
        # the cast to suggest: the widest allowed dtype of the same kind (int64 to int32), else the widest allowed
        allowed = [d for d in dtypes if d != "float64"] or list(dtypes)
        same_kind = [d for d in allowed if np.dtype(d).kind == value.dtype.kind] or allowed
        widest = max(same_kind, key=lambda d: np.dtype(d).itemsize)
        hint = f"; cast it with .astype('{widest}')" if value.dtype.kind in "iufb" else ""
        raise FigureDataError(
            f"{name} has dtype {dtype_name}, which sortingview figures do not allow here "
            f"(allowed: {', '.join(dtypes)}){hint}"
        )
    if ndim is not None and value.ndim != ndim:
        raise FigureDataError(f"{name} must have {ndim} dimension(s), got shape {value.shape}")
    return little_endian(value)


def check_same_length(name_a: str, a: np.ndarray, name_b: str, b: np.ndarray) -> None:
    """Raise if two arrays that describe the same events differ in length."""
    if len(a) != len(b):
        raise FigureDataError(f"{name_a} has {len(a)} elements but {name_b} has {len(b)}; they must match")


def check_unit_id(value: object, name: str) -> int | str:
    """Unit and channel ids stay int or str; numpy scalars become plain Python values."""
    if isinstance(value, (bool, np.bool_)):
        raise FigureDataError(f"{name} must be an int or a str, got a bool")
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (str, np.str_)):
        return str(value)
    raise FigureDataError(f"{name} must be an int or a str, got {type(value).__name__} {value!r}")


def check_number(value: object, name: str) -> float | int:
    """A finite JSON number (NaN and infinity are not written)."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(value):
            raise FigureDataError(f"{name} is {value}; NaN and infinity cannot be written (leave the value out)")
        return float(value)
    raise FigureDataError(f"{name} must be a number, got {type(value).__name__} {value!r}")


def with_optional(fields: dict, **optional: object) -> dict:
    """``fields`` plus the optional fields that are set (the format writes only those)."""
    fields.update({key: value for key, value in optional.items() if value is not None})
    return fields


def channel_locations_dict(channel_ids: Sequence, locations: np.ndarray) -> dict[str, list[float]]:
    """``{str(channel_id): [x, y]}`` with float32 values, as the format writes channel locations."""
    locations = np.asarray(locations)
    if locations.ndim != 2 or locations.shape[0] != len(channel_ids) or locations.shape[1] < 2:
        raise FigureDataError(
            f"channel locations must have shape (num_channels={len(channel_ids)}, 2), got {locations.shape}"
        )
    xy = locations[:, :2].astype("float32")
    return {str(ch): [float(xy[i, 0]), float(xy[i, 1])] for i, ch in enumerate(channel_ids)}


def little_endian(array: np.ndarray) -> np.ndarray:
    """The array itself when it is C-contiguous and little-endian (as nearly always), else such a copy."""
    if array.flags.c_contiguous and array.dtype in _DTYPE_NAMES:
        return array
    return np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<"))


def little_endian_bytes(array: np.ndarray) -> memoryview:
    """The array's little-endian C-order bytes (a view of the array when it has that layout)."""
    array = little_endian(array)
    return memoryview(array.reshape(-1).view(np.uint8)) if array.size else memoryview(b"")


# Float noise (spike times, amplitudes) gains almost nothing from deflate's string matching, only from its Huffman
# codes: Huffman-only coding gives the same size in less than half the time. An array of 16 KB or more is coded so
# when matching makes its first 4 KB less than 2 % smaller.
PROBE_MIN_BYTES = 16_384
PROBE_BYTES = 4_096


def _deflate(data: memoryview, strategy: int) -> bytes:
    compressor = zlib.compressobj(ZLIB_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS, 8, strategy)
    return compressor.compress(data) + compressor.flush()


def compress_array(array: np.ndarray) -> bytes:
    """The array's zlib bytes (zlib framing, level 1; Huffman-only where string matching gains nothing)."""
    raw = little_endian_bytes(array)
    if len(raw) >= PROBE_MIN_BYTES:
        probe = raw[:PROBE_BYTES]
        if len(_deflate(probe, zlib.Z_DEFAULT_STRATEGY)) > 0.98 * len(_deflate(probe, zlib.Z_HUFFMAN_ONLY)):
            return _deflate(raw, zlib.Z_HUFFMAN_ONLY)
    return zlib.compress(raw, ZLIB_LEVEL)


def encode_ndarray(array: np.ndarray, compress: bool | None = None, packed: bytes | None = None) -> dict:
    """Encode an array as ``{"_type": "ndarray", ...}``; large arrays are zlib-compressed when it helps.

    ``packed`` is the array's zlib bytes when they were computed beforehand (see ``canonical_json``).
    """
    raw = little_endian_bytes(array)
    encoded = {
        "_type": "ndarray",
        "shape": list(array.shape),
        "dtype": _DTYPE_NAMES.get(array.dtype) or array.dtype.name,
    }
    if compress is None:
        compress = len(raw) >= COMPRESS_MIN_BYTES
    if compress:
        if packed is None:
            packed = compress_array(array)
        if len(packed) < len(raw):
            encoded["data_gzip_b64"] = base64.b64encode(packed).decode("ascii")
            return encoded
    encoded["data_b64"] = base64.b64encode(raw).decode("ascii")
    return encoded


def decode_ndarray(encoded: Mapping) -> np.ndarray:
    """Decode an ndarray object written by ``encode_ndarray`` (or by sortingview)."""
    if "data_gzip_b64" in encoded:
        raw = zlib.decompress(base64.b64decode(encoded["data_gzip_b64"]))
    else:
        raw = base64.b64decode(encoded["data_b64"])
    dtype = np.dtype(encoded["dtype"]).newbyteorder("<")
    return np.frombuffer(raw, dtype=dtype).reshape(encoded["shape"])


def to_json_value(
    obj: object, path: str = "$", packed: Mapping[int, bytes] | None = None, encoded: dict | None = None
) -> object:
    """Turn figure data into plain JSON values: arrays encoded, numpy scalars unwrapped, keys checked.

    ``packed`` maps ``id(array)`` to that array's zlib bytes, computed beforehand. ``encoded`` maps ``id(array)``
    to the array's encoded object, filled as arrays are met: an array that appears again (every correlogram's bin
    edges) is encoded once.
    """
    # exact types first: a figure holds hundreds of thousands of values, and abstract-class checks are slow
    kind = type(obj)
    if kind is np.ndarray or isinstance(obj, np.ndarray):
        if encoded is not None and id(obj) in encoded:
            return encoded[id(obj)]
        array = check_array(obj, path, dtypes=(*ALLOWED_DTYPES, "float64"))
        value = encode_ndarray(array, packed=None if packed is None else packed.get(id(obj)))
        if encoded is not None:
            encoded[id(obj)] = value
        return value
    if kind is dict or (kind is not list and isinstance(obj, Mapping)):
        out = {}
        for key, value in obj.items():
            if not isinstance(key, str):
                raise FigureDataError(f"{path} has a key {key!r} of type {type(key).__name__}; keys must be strings")
            out[key] = to_json_value(value, f"{path}.{key}", packed, encoded)
        return out
    if kind is list or kind is tuple or isinstance(obj, (list, tuple)):
        return [to_json_value(v, f"{path}[{i}]", packed, encoded) for i, v in enumerate(obj)]
    if obj is None or kind is str:
        return obj
    if kind is float:
        return check_number(obj, path)
    if kind is int:
        return obj
    if isinstance(obj, (np.str_, str)):
        return str(obj)
    if isinstance(obj, (bool, int, float, np.number, np.bool_)):
        return check_number(obj, path)
    raise FigureDataError(f"{path} holds a {type(obj).__name__}, which cannot be written in a figure")


def from_json_value(obj: object) -> object:
    """Inverse of ``to_json_value`` for reading: ndarray objects become numpy arrays."""
    if isinstance(obj, dict):
        if obj.get("_type") == "ndarray":
            return decode_ndarray(obj)
        return {k: from_json_value(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [from_json_value(v) for v in obj]
    return obj


def iter_arrays(obj: object) -> Iterator[np.ndarray]:
    """Every numpy array inside nested dicts and lists."""
    kind = type(obj)
    if kind is np.ndarray:
        yield obj
    elif kind is dict:
        for value in obj.values():
            if type(value) not in _SCALARS:
                yield from iter_arrays(value)
    elif kind is list or kind is tuple:
        for value in obj:
            if type(value) not in _SCALARS:
                yield from iter_arrays(value)
    elif isinstance(obj, np.ndarray):
        yield obj
    elif isinstance(obj, Mapping):
        for value in obj.values():
            yield from iter_arrays(value)
    elif isinstance(obj, (list, tuple)):
        for value in obj:
            yield from iter_arrays(value)


# values iter_arrays need not look into
_SCALARS = frozenset((str, int, float, bool, type(None)))


# zlib releases the GIL, so large figures compress on every core: a file whose arrays hold this many bytes.
PARALLEL_MIN_BYTES = 1_000_000
_compress_pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 1, thread_name_prefix="sv-compress")
# Arrays are handed to the pool in batches of about this many bytes: a task per small array (a figure has tens
# of thousands: correlograms, waveforms) costs more in the pool's locks than zlib takes on it.
_BATCH_BYTES = 1 << 20


def _compress_batch(batch: list[np.ndarray]) -> list[bytes]:
    return [compress_array(a) for a in batch]


def compress_arrays(arrays: list[np.ndarray]) -> list[bytes]:
    """zlib bytes of each array, compressed in batches on the thread pool (the same bytes as one by one)."""
    batches: list[list[np.ndarray]] = [[]]
    size = 0
    for array in arrays:
        if size >= _BATCH_BYTES:
            batches.append([])
            size = 0
        batches[-1].append(array)
        size += array.nbytes
    return [packed for batch in _compress_pool.map(_compress_batch, batches) for packed in batch]


def map_on_pool(function: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """``function`` of each item on the compression pool, in order: for independent files encoded at once, whose
    ``canonical_json`` then takes ``parallel=False`` (a task must not wait for tasks of its own pool)."""
    return list(_compress_pool.map(function, items))


def canonical_json(obj: object, parallel: bool = True) -> bytes:
    """Deterministic JSON bytes (sorted keys, compact separators, no NaN) of figure data.

    Large arrays are compressed on the thread pool unless ``parallel`` is False (in a task of that pool).
    """
    large = [a for a in iter_arrays(obj) if a.nbytes >= COMPRESS_MIN_BYTES and a.dtype in _DTYPE_NAMES]
    large = [a for a in large if _DTYPE_NAMES[a.dtype] != "float64"]
    packed = None
    if parallel and sum(a.nbytes for a in large) >= PARALLEL_MIN_BYTES:
        packed = dict(zip(map(id, large), compress_arrays(large), strict=True))
    # every array of ``obj`` stays alive during the call, so ids name them uniquely
    value = to_json_value(obj, packed=packed, encoded={})
    return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False).encode()


def content_uri(data: bytes) -> str:
    """The ``sha1://`` URI a content-addressed store gives these bytes."""
    return f"sha1://{hashlib.sha1(data).hexdigest()}"
