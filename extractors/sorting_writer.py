"""Writing a sorting into the store: compact spike trains (or its npz / spikes.npy file registered in place) and a manifest."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from spikeinterface.core import BaseSorting, NpzSortingExtractor, NumpyFolderSorting
from spikeinterface.core.base import minimum_spike_dtype

from spikeinterface_sortingview.store import LocalStore

from .compact_spikes import LAYOUT, encode_spike_trains
from .encoding import encode_array
from .recording_writer import NotInPlaceError, annotations_of, properties_of
from .sorting import SORTING_FORMAT, SORTING_FORMAT_VERSION


def sorting_manifest(sorting: BaseSorting, store: LocalStore, in_place: bool | None = None) -> dict:
    """Store the spikes of ``sorting`` and return the manifest that describes it (not yet stored).

    Parameters
    ----------
    sorting : BaseSorting
        The sorting to share.
    store : LocalStore
        Where the spike vector goes (or the registered file is recorded).
    in_place : bool | None
        True: register the sorting's file in place (error if it has none); False: always
        copy the spikes; None: in place when possible.
    """
    spikes_file = registrable_file(sorting)
    if in_place and isinstance(spikes_file, str):
        raise NotInPlaceError(
            f"Cannot share {type(sorting).__name__} in place: {spikes_file}. Use in_place=None (copy when needed), "
            "or save the sorting first with sorting.save(folder=...)."
        )
    copy = in_place is False or isinstance(spikes_file, str)
    manifest = {
        "format": SORTING_FORMAT,
        # A sorting registered in place is described as version 1 manifests always were, readable by older versions.
        "version": SORTING_FORMAT_VERSION if copy else 1,
        "sampling_frequency": float(sorting.get_sampling_frequency()),
        "unit_ids": encode_array(sorting.get_unit_ids(), "unit_ids"),
        "num_segments": sorting.get_num_segments(),
        "spikes_uri": None,
        "npz_uri": None,
        "properties": properties_of(sorting),
        "annotations": annotations_of(sorting),
    }
    if copy:
        manifest["spike_trains"] = _store_compact(sorting, store)
    else:
        kind, path = spikes_file
        manifest[f"{kind}_uri"] = store.register_file(path)
    return manifest


def registrable_file(sorting: BaseSorting) -> tuple[str, Path] | str:
    """("spikes", spikes.npy) or ("npz", file.npz) if the sorting's spikes are exactly a file's content, else why not."""
    if type(sorting) is NumpyFolderSorting:
        path = Path(sorting._kwargs["folder_path"]) / "spikes.npy"
        spikes = sorting.spikes
        if not set(name for name, _ in minimum_spike_dtype) <= set(spikes.dtype.names or ()):
            return f"{path} is not a spike vector"
        return ("spikes", path)
    if isinstance(sorting, NpzSortingExtractor):
        return ("npz", Path(sorting.npz_filename))
    return f"its spikes are not read from a file ({type(sorting).__name__})"


def _store_compact(sorting: BaseSorting, store: LocalStore) -> dict:
    """Store the sorting's spikes as compact spike trains; their description for the manifest."""
    spikes = sorting.to_spike_vector()
    encoded = encode_spike_trains(
        spikes["sample_index"],
        spikes["unit_index"],
        spikes["segment_index"],
        num_units=len(sorting.unit_ids),
        num_segments=sorting.get_num_segments(),
    )
    deltas = encoded.pop("deltas")
    buffer = io.BytesIO()
    np.savez(buffer, **encoded)
    return {
        "layout": LAYOUT,
        "deltas_uri": store.store_bytes(_npy_bytes(deltas)),
        "index_uri": store.store_bytes(buffer.getvalue()),
    }


def _npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()
