"""Spike trains of a sorting indexed by unit, built once from its spike vector and kept with the sorting."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from spikeinterface.core import BaseSorting


@dataclass(frozen=True)
class SpikeSelection:
    """Spikes of a unit group, sorted by (segment, sample).

    Attributes
    ----------
    segment_index, sample_index : np.ndarray
        Where each spike is (int64).
    unit_position : np.ndarray
        For each spike, the position of its unit in the requested group (int32).
    """

    segment_index: np.ndarray
    sample_index: np.ndarray
    unit_position: np.ndarray

    def __len__(self) -> int:
        return len(self.sample_index)

    def in_segment(self, segment_index: int) -> slice:
        """The slice of spikes that are in one segment."""
        lo, hi = np.searchsorted(self.segment_index, [segment_index, segment_index + 1])
        return slice(int(lo), int(hi))


class SpikeTrains:
    """Per-unit sorted sample indices of every segment of a sorting.

    Parameters
    ----------
    sorting : BaseSorting
        The sorting; its spike vector is read once (``to_spike_vector``).

    Notes
    -----
    Per segment, the spikes are stored grouped by unit (a stable sort of the spike vector,
    which is already in time order), so a unit's train is a slice, not a copy, and a merge
    group's train is one concatenation and sort of a few slices.
    """

    def __init__(self, sorting: BaseSorting) -> None:
        self.unit_ids = sorting.unit_ids
        self.sampling_frequency = float(sorting.sampling_frequency)
        self.num_segments = sorting.get_num_segments()
        num_units = len(self.unit_ids)
        spikes = sorting.to_spike_vector()
        bounds = np.searchsorted(spikes["segment_index"], np.arange(self.num_segments + 1))
        self._samples: list[np.ndarray] = []
        self._offsets: list[np.ndarray] = []
        for segment in range(self.num_segments):
            segment_spikes = spikes[bounds[segment] : bounds[segment + 1]]
            order = np.argsort(segment_spikes["unit_index"], kind="stable")
            self._samples.append(np.ascontiguousarray(segment_spikes["sample_index"][order], dtype=np.int64))
            counts = np.bincount(segment_spikes["unit_index"], minlength=num_units)
            self._offsets.append(np.concatenate([[0], np.cumsum(counts)]))
        self.spike_counts = np.sum([np.diff(o) for o in self._offsets], axis=0).astype(np.int64)
        # The last spike's frame of each segment (-1 when it has none): checked against a paired recording.
        self.last_frames = [int(samples.max()) if len(samples) else -1 for samples in self._samples]

    def unit_train(self, unit_index: int, segment_index: int) -> np.ndarray:
        """Sorted sample indices of one unit in one segment (a read-only view)."""
        offsets = self._offsets[segment_index]
        view = self._samples[segment_index][offsets[unit_index] : offsets[unit_index + 1]]
        view.flags.writeable = False
        return view

    def group_train(self, unit_indices: Sequence[int], segment_index: int) -> np.ndarray:
        """Sorted sample indices of the union of units' spikes in one segment (a merged unit)."""
        if len(unit_indices) == 1:
            return self.unit_train(unit_indices[0], segment_index)
        merged = np.concatenate([self.unit_train(u, segment_index) for u in unit_indices])
        merged.sort(kind="stable")
        return merged

    def select(
        self,
        unit_indices: Sequence[int],
        segment_index: int | None = None,
        max_spikes: int | None = None,
        seed: int = 0,
    ) -> SpikeSelection:
        """The spikes of a unit group, optionally one segment only and a random subset of at most ``max_spikes``.

        The subset is drawn without replacement with ``numpy.random.default_rng(seed)``, so the
        same request gives the same spikes.
        """
        segments = range(self.num_segments) if segment_index is None else [segment_index]
        seg_parts, sample_parts, unit_parts = [], [], []
        for segment in segments:
            for position, unit_index in enumerate(unit_indices):
                train = self.unit_train(unit_index, segment)
                seg_parts.append(np.full(len(train), segment, dtype=np.int64))
                sample_parts.append(train)
                unit_parts.append(np.full(len(train), position, dtype=np.int32))
        segment_index_arr = np.concatenate(seg_parts) if seg_parts else np.zeros(0, np.int64)
        sample_index = np.concatenate(sample_parts) if sample_parts else np.zeros(0, np.int64)
        unit_position = np.concatenate(unit_parts) if unit_parts else np.zeros(0, np.int32)
        if max_spikes is not None and len(sample_index) > max_spikes:
            keep = np.random.default_rng(seed).choice(len(sample_index), size=max_spikes, replace=False)
            segment_index_arr, sample_index, unit_position = (
                segment_index_arr[keep],
                sample_index[keep],
                unit_position[keep],
            )
        order = np.lexsort((unit_position, sample_index, segment_index_arr))
        return SpikeSelection(segment_index_arr[order], sample_index[order], unit_position[order])
