"""A sorting read from a content-addressed store: a JSON manifest and compact spike trains (or a spike vector)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from spikeinterface.core import BaseSorting
from spikeinterface.core.base import minimum_spike_dtype
from spikeinterface.core.basesorting import BaseSortingSegment, SpikeVectorSortingSegment

from spikeinterface_sortingview.store import RemoteStore, StatKey, stat_key

from .by_reference import EXTRACTOR_FORMAT, ReferencedSortingSegment, open_description
from .compact_spikes import LAYOUT, CompactSpikeTrains
from .encoding import decode_array, decode_value
from .recording import ManifestError, load_manifest
from .sources import open_store

SORTING_FORMAT = "spikeinterface-sortingview/sorting"
# Version 2 added compact spike trains ("spike_trains"). Sortings registered in place still get version 1
# manifests (a spike vector or an npz file), which every version reads.
SORTING_FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)


class StoreSortingExtractor(BaseSorting):
    """A sorting shared by URI: unit ids, properties and its spikes in a content-addressed store.

    Parameters
    ----------
    manifest_uri : str
        ``sha1://`` URI of the sorting's manifest, as returned by ``share_sorting``.
    source_url : str | None
        Base URL of a runner to fetch files missing from the local store (see
        ``extractors.sources``). ``$SORTINGVIEW_REMOTE`` is also consulted.

    Notes
    -----
    A copied sorting's spikes are compact spike trains (``compact_spikes.py``, about 2 bytes a
    spike), memory-mapped and decoded one unit (or one window of a unit) at a time. A numpy-folder
    sorting registered in place is read from its ``spikes.npy`` (memory-mapped), an npz sorting
    from its ``.npz`` file; manifests of version 1 may also hold a stored spike vector.
    """

    def __init__(self, manifest_uri: str, source_url: str | None = None):
        store = open_store(source_url)
        manifest = load_manifest(store, manifest_uri, SORTING_FORMAT, READABLE_VERSIONS, by_reference=True)
        # The file the spikes stay mapped from, and its state when it was checked against its hash.
        self._mapped_file: tuple[Path, StatKey] | None = None
        self._compact: CompactSpikeTrains | None = None
        # the extractor a by-reference manifest rebuilds (its segments are read through this one's)
        self._referenced: BaseSorting | None = None
        if manifest["format"] == EXTRACTOR_FORMAT:
            referenced = open_description(manifest["extractor"], store, source_url)
            if not isinstance(referenced, BaseSorting):
                raise ManifestError(f"{manifest_uri} describes a {type(referenced).__name__}, not a sorting")
            BaseSorting.__init__(self, referenced.get_sampling_frequency(), referenced.get_unit_ids())
            for segment in referenced.segments:
                self.add_sorting_segment(ReferencedSortingSegment(segment))
            self._referenced = referenced
        else:
            self._open_spikes(manifest, store, manifest_uri)
        self._kwargs = {"manifest_uri": manifest_uri, "source_url": source_url}

        for name, encoded in manifest["properties"].items():
            self.set_property(name, decode_array(encoded))
        self.annotate(**decode_value(manifest["annotations"]))

    def _open_spikes(self, manifest: dict, store: RemoteStore, manifest_uri: str) -> None:
        """Compact spike trains, a spike vector or an npz file of the store."""
        unit_ids = decode_array(manifest["unit_ids"])
        BaseSorting.__init__(self, manifest["sampling_frequency"], unit_ids)
        if manifest.get("spike_trains"):
            self._compact = self._open_compact(store, manifest["spike_trains"], manifest_uri)
            for segment_index in range(manifest["num_segments"]):
                self.add_sorting_segment(CompactSortingSegment(self._compact, segment_index, unit_ids))
        else:
            if manifest.get("npz_uri"):
                spikes = _spikes_from_npz(store.file_path(manifest["npz_uri"]), unit_ids)
            else:
                spikes = self._map(store, manifest["spikes_uri"])
            for segment_index in range(manifest["num_segments"]):
                self.add_sorting_segment(SpikeVectorSortingSegment(spikes, segment_index, unit_ids))
            # The spike vector is what SpikeInterface would otherwise rebuild unit by unit.
            self._cached_spike_vector = spikes

    def _map(self, store: RemoteStore, uri: str) -> np.ndarray:
        """Memory-map a stored ``.npy`` file, remembering the state it was checked in."""
        path = store.file_path(uri)
        array = np.load(path, mmap_mode="r", allow_pickle=False)
        self._mapped_file = (path, stat_key(os.stat(path)))
        return array

    def _open_compact(self, store: RemoteStore, description: dict, manifest_uri: str) -> CompactSpikeTrains:
        if description.get("layout") != LAYOUT:
            raise ManifestError(
                f"the spike trains of {manifest_uri} use the layout {description.get('layout')!r}; this "
                f"version of spikeinterface-sortingview reads {LAYOUT!r}. Upgrade the package."
            )
        deltas = self._map(store, description["deltas_uri"])
        with np.load(store.file_path(description["index_uri"]), allow_pickle=False) as index:
            return CompactSpikeTrains(deltas, dict(index))

    def get_unit_spike_train(
        self,
        unit_id: str | int,
        segment_index: int | None = None,
        start_frame: int | None = None,
        end_frame: int | None = None,
        return_times: bool = False,
        use_cache: bool = True,
    ) -> np.ndarray:
        """As ``BaseSorting.get_unit_spike_train``; compact trains are decoded unit by unit, never all at once.

        SpikeInterface's cache would first reorder every spike by unit; compact trains are stored that way.
        """
        if self._compact is None or return_times:
            return super().get_unit_spike_train(unit_id, segment_index, start_frame, end_frame, return_times, use_cache)
        segment_index = self._check_segment_index(segment_index)
        return self.segments[segment_index].get_unit_spike_train(unit_id, start_frame, end_frame)

    def _compute_and_cache_spike_vector(self) -> None:
        if self._referenced is not None:
            # the rebuilt extractor's own way (NWB reads its whole spike table at once)
            self._cached_spike_vector = self._referenced.to_spike_vector()
            return None
        if self._compact is None:
            return super()._compute_and_cache_spike_vector()
        # One decode of every train, then each segment in time order (SpikeInterface's: by sample, then unit).
        compact = self._compact
        frames = compact.all_frames()
        num_units = compact.unit_starts.shape[1] - 1
        counts = np.diff(compact.unit_starts, axis=1)
        parts = []
        for segment_index in range(compact.unit_starts.shape[0]):
            begin, end = compact.unit_starts[segment_index, 0], compact.unit_starts[segment_index, -1]
            part = np.zeros(end - begin, dtype=minimum_spike_dtype)
            part["sample_index"] = frames[begin:end]
            part["unit_index"] = np.repeat(np.arange(num_units), counts[segment_index])
            part["segment_index"] = segment_index
            parts.append(part[np.argsort(part["sample_index"], kind="stable")])
        self._cached_spike_vector = np.concatenate(parts) if parts else np.zeros(0, dtype=minimum_spike_dtype)

    def files_unchanged(self) -> bool:
        """False if the file the spikes are mapped from changed since it was checked (open the URI again)."""
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


class CompactSortingSegment(BaseSortingSegment):
    """One segment of a sorting stored as compact spike trains: a unit's train is decoded when asked for."""

    def __init__(self, compact: CompactSpikeTrains, segment_index: int, unit_ids: np.ndarray):
        BaseSortingSegment.__init__(self)
        self._compact = compact
        self._segment_index = segment_index
        self._unit_index = {unit_id: i for i, unit_id in enumerate(unit_ids.tolist())}

    def get_unit_spike_train(self, unit_id, start_frame: int | None, end_frame: int | None) -> np.ndarray:
        unit = unit_id.item() if isinstance(unit_id, np.generic) else unit_id
        return self._compact.unit_train(self._segment_index, self._unit_index[unit], start_frame, end_frame)


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
