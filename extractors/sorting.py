"""A sorting read from a content-addressed store: a JSON manifest and a spike vector (or an npz file)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from spikeinterface.core import BaseSorting
from spikeinterface.core.base import minimum_spike_dtype
from spikeinterface.core.basesorting import SpikeVectorSortingSegment

from spikeinterface_sortingview.store import StatKey, stat_key

from .encoding import decode_array, decode_value
from .recording import load_manifest
from .sources import open_store

SORTING_FORMAT = "spikeinterface-sortingview/sorting"
SORTING_FORMAT_VERSION = 1


class StoreSortingExtractor(BaseSorting):
    """A sorting shared by URI: unit ids, properties and a spike vector in a content-addressed store.

    Parameters
    ----------
    manifest_uri : str
        ``sha1://`` URI of the sorting's manifest, as returned by ``share_sorting``.
    source_url : str | None
        Base URL of a runner to fetch files missing from the local store (see
        ``extractors.sources``). ``$SORTINGVIEW_REMOTE`` is also consulted.

    Notes
    -----
    The spike vector (``sample_index``, ``unit_index``, ``segment_index``) is memory-mapped
    from the local store, or from the ``spikes.npy`` of a numpy-folder sorting registered in
    place; an npz sorting registered in place is read from its ``.npz`` file.
    """

    def __init__(self, manifest_uri: str, source_url: str | None = None):
        store = open_store(source_url)
        manifest = load_manifest(store, manifest_uri, SORTING_FORMAT)
        unit_ids = decode_array(manifest["unit_ids"])
        BaseSorting.__init__(self, manifest["sampling_frequency"], unit_ids)

        # The file the spike vector stays mapped from, and its state when it was checked against its hash.
        self._mapped_file: tuple[Path, StatKey] | None = None
        if manifest.get("npz_uri"):
            spikes = _spikes_from_npz(store.file_path(manifest["npz_uri"]), unit_ids)
        else:
            path = store.file_path(manifest["spikes_uri"])
            spikes = np.load(path, mmap_mode="r", allow_pickle=False)
            self._mapped_file = (path, stat_key(os.stat(path)))
        for segment_index in range(manifest["num_segments"]):
            self.add_sorting_segment(SpikeVectorSortingSegment(spikes, segment_index, unit_ids))
        # The spike vector is what SpikeInterface would otherwise rebuild unit by unit.
        self._cached_spike_vector = spikes

        for name, encoded in manifest["properties"].items():
            self.set_property(name, decode_array(encoded))
        self.annotate(**decode_value(manifest["annotations"]))
        self._kwargs = {"manifest_uri": manifest_uri, "source_url": source_url}

    def files_unchanged(self) -> bool:
        """False if the file the spike vector is mapped from changed since it was checked (open the URI again)."""
        if self._mapped_file is None:
            return True  # read whole into memory when opened
        path, key = self._mapped_file
        try:
            return stat_key(os.stat(path)) == key
        except FileNotFoundError:
            return False

    @property
    def manifest_uri(self) -> str:
        """The URI this sorting was opened from (share it to share the sorting)."""
        return self._kwargs["manifest_uri"]


def _spikes_from_npz(path, unit_ids: np.ndarray) -> np.ndarray:
    """The spike vector of a file written by SpikeInterface's ``NpzSortingExtractor``."""
    with np.load(path, allow_pickle=False) as npz:
        num_segments = int(npz["num_segment"][0])
        parts = []
        for segment_index in range(num_segments):
            samples = npz[f"spike_indexes_seg{segment_index}"]
            labels = npz[f"spike_labels_seg{segment_index}"]
            part = np.zeros(samples.size, dtype=minimum_spike_dtype)
            part["sample_index"] = samples
            part["unit_index"] = _unit_indices(labels, unit_ids)
            part["segment_index"] = segment_index
            order = np.lexsort((part["unit_index"], part["sample_index"]))
            parts.append(part[order])
    return np.concatenate(parts) if parts else np.zeros(0, dtype=minimum_spike_dtype)


def _unit_indices(labels: np.ndarray, unit_ids: np.ndarray) -> np.ndarray:
    order = np.argsort(unit_ids)
    positions = np.searchsorted(unit_ids, labels, sorter=order)
    return order[np.clip(positions, 0, max(len(unit_ids) - 1, 0))] if len(unit_ids) else positions
