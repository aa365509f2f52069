"""Share a recording or a sorting by URI and open it anywhere: ``share_*``, ``load_*`` and sortingview's ``copy_*``."""

from __future__ import annotations

import json

import numpy as np
from spikeinterface.core import BaseRecording, BaseSorting

from spikeinterface_sortingview.store import LocalStore, default_store

from .by_reference import EXTRACTOR_FORMAT, EXTRACTOR_FORMAT_VERSION, NotByReference, reference_description
from .recording import StoreRecordingExtractor
from .recording_writer import (
    NotInPlaceError,
    annotations_of,
    binary_layout,
    probegroup_of,
    properties_of,
    recording_manifest,
)
from .sorting import StoreSortingExtractor
from .sorting_writer import registrable_file, sorting_manifest


def share_recording(
    recording: BaseRecording,
    serialize_dtype: str | np.dtype | None = None,
    in_place: bool | None = None,
    **job_kwargs,
) -> str:
    """Put a recording in the local store and return the ``sha1://`` URI that opens it anywhere.

    Parameters
    ----------
    recording : BaseRecording
        Any recording. Its traces are copied into the store in chunks, unless they are the
        content of binary files (``BinaryRecordingExtractor``, ``recording.save(format="binary")``
        folders): those files are hashed and registered where they are, not copied.
    serialize_dtype : str | np.dtype | None
        Store the traces as this dtype. An integer dtype that cannot hold the source values
        (e.g. float32 -> int16) quantises each channel over its range and adjusts
        ``gain_to_uV``/``offset_to_uV``, so ``get_traces(return_in_uV=True)`` stays within one
        quantisation step of the original. None keeps the dtype (bit-exact).
    in_place : bool | None
        None (default): register binary files in place when possible, else copy. True: only
        in place (error otherwise). False: always copy.
    **job_kwargs
        SpikeInterface job kwargs: ``n_jobs``, ``chunk_duration`` (also the stored chunk
        size, default 1 s), ``progress_bar`` (default: shown above 256 MB), ``pool_engine``
        (default ``"thread"``), ...

    Returns
    -------
    str
        The URI of the recording's manifest. Sharing the same data again gives the same
        URI and stores nothing new.
    """
    _check_type(recording, BaseRecording, "recording", "analyzer.recording")
    if isinstance(recording, StoreRecordingExtractor) and serialize_dtype is None and in_place is not False:
        return recording.manifest_uri  # already shared: nothing to read or hash again
    store = default_store()
    dtype = recording.get_dtype() if serialize_dtype is None else np.dtype(serialize_dtype)
    if in_place is not False and dtype == recording.get_dtype() and isinstance(binary_layout(recording, dtype), str):
        manifest = _by_reference(recording, store, "recording")
        if manifest is not None:
            return store.store_json(manifest)
    manifest = recording_manifest(recording, store, serialize_dtype, in_place, job_kwargs)
    return store.store_json(manifest)


def share_sorting(sorting: BaseSorting, in_place: bool | None = None) -> str:
    """Put a sorting in the local store and return the ``sha1://`` URI that opens it anywhere.

    Parameters
    ----------
    sorting : BaseSorting
        Any sorting. Its spike vector is stored, unless the sorting reads an ``.npz`` file
        (``NpzSortingExtractor``) or a numpy folder's ``spikes.npy``: that file is registered
        in place instead. Unit ids, properties and annotations go in the manifest.
    in_place : bool | None
        As for ``share_recording``.

    Returns
    -------
    str
        The URI of the sorting's manifest.
    """
    _check_type(sorting, BaseSorting, "sorting", "analyzer.sorting")
    if isinstance(sorting, StoreSortingExtractor) and in_place is not False:
        return sorting.manifest_uri  # already shared
    store = default_store()
    if in_place is not False and isinstance(registrable_file(sorting), str):
        manifest = _by_reference(sorting, store, "sorting")
        if manifest is not None:
            return store.store_json(manifest)
    return store.store_json(sorting_manifest(sorting, store, in_place))


def load_recording(uri: str, source_url: str | None = None) -> StoreRecordingExtractor:
    """Open a shared recording; traces are read lazily, chunk by chunk.

    Parameters
    ----------
    uri : str
        The URI returned by ``share_recording``.
    source_url : str | None
        A runner to fetch from what the local store lacks (e.g. ``http://host:8931``);
        ``$SORTINGVIEW_REMOTE`` is also consulted.
    """
    return StoreRecordingExtractor(uri, source_url=source_url)


def load_sorting(uri: str, source_url: str | None = None) -> StoreSortingExtractor:
    """Open a shared sorting (see ``load_recording`` for ``source_url``)."""
    return StoreSortingExtractor(uri, source_url=source_url)


def copy_recording_extractor(
    recording: BaseRecording, serialize_dtype: str | np.dtype | None = None, **job_kwargs
) -> StoreRecordingExtractor:
    """sortingview's name: share a recording and return the serializable, store-backed copy of it.

    See ``share_recording`` for the parameters.
    """
    return load_recording(share_recording(recording, serialize_dtype=serialize_dtype, **job_kwargs))


def copy_sorting_extractor(sorting: BaseSorting) -> StoreSortingExtractor:
    """sortingview's name: share a sorting and return the serializable, store-backed copy of it."""
    return load_sorting(share_sorting(sorting))


def _by_reference(extractor: BaseRecording | BaseSorting, store: LocalStore, kind: str) -> dict | None:
    """The extractor manifest of a file-backed SpikeInterface extractor or a chain of steps, or None to copy it."""
    try:
        description = reference_description(extractor, store, _share_base)
        # a step whose kwargs JSON cannot hold exactly (NaN, objects SpikeInterface's encoder refuses) is copied
        json.dumps(description, allow_nan=False)
    except (NotByReference, TypeError, ValueError):
        return None
    manifest = {
        "format": EXTRACTOR_FORMAT,
        "version": EXTRACTOR_FORMAT_VERSION,
        "kind": kind,
        "extractor": description,
        "properties": properties_of(extractor),
        "annotations": annotations_of(extractor),
    }
    if kind == "recording":
        manifest["probegroup"] = probegroup_of(extractor)
    return manifest


def _share_base(extractor: BaseRecording | BaseSorting) -> str:
    """Share a chain's base in place (or by reference); ``NotByReference`` if it would have to be copied."""
    try:
        if isinstance(extractor, BaseRecording):
            return share_recording(extractor, in_place=True)
        if isinstance(extractor, BaseSorting):
            return share_sorting(extractor, in_place=True)
    except NotInPlaceError as e:
        raise NotByReference(str(e)) from None
    raise NotByReference(f"a chain's step reads a {type(extractor).__name__}, neither a recording nor a sorting")


def _check_type(value: object, expected: type, what: str, analyzer_hint: str) -> None:
    if isinstance(value, expected):
        return
    hint = f"pass a SpikeInterface {expected.__name__}"
    if hasattr(value, "recording") and hasattr(value, "sorting"):
        hint = f"pass {analyzer_hint}"
    elif isinstance(value, np.ndarray) and what == "recording":
        hint = "wrap the array first: spikeinterface.core.NumpyRecording(traces, sampling_frequency)"
    raise TypeError(f"Cannot share a {type(value).__name__} as a {what}: {hint}")
