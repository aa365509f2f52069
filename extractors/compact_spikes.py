"""Spike trains in about 2 bytes a spike: per-unit frame deltas as uint16, exact, readable one unit or one window at a time.

Layout (all arrays little-endian, stored as ``.npy`` files in the store):

- ``deltas`` (uint16): the trains of every unit of segment 0, unit by unit in ``unit_ids`` order,
  then those of segment 1, ... Each value is a spike's frame minus the previous spike's frame of the
  same unit (the first spike of a train: its frame). A delta of 65535 or more is written as 65535
  and its true value is in ``overflow_values`` at the same rank in ``overflow_positions``.
- ``unit_starts`` (int64, ``num_segments x (num_units + 1)``): where each train starts in ``deltas``.
- ``checkpoint_frames`` (int64): the frame of every ``CHECKPOINT_SPIKES``-th spike of ``deltas``, so
  a window of a long train is decoded from the checkpoint before it, not from its first spike.

A unit's train is ``cumsum`` of its deltas; nothing else of the file is read. The deltas file is
memory-mapped, so only the pages of the trains asked for are read from disk.
"""

from __future__ import annotations

import numba
import numpy as np

LAYOUT = "unit-frame-deltas-uint16"
ESCAPE = np.iinfo(np.uint16).max
CHECKPOINT_SPIKES = 1024
# numba's first call in a process costs about a second (its compiler starts, even to load a cached kernel); below
# this many spikes the numpy path (a radix argsort) takes less than that, above it the numba pass is far faster.
NUMBA_MIN_SPIKES = 5_000_000


def encode_spike_trains(
    sample_index: np.ndarray, unit_index: np.ndarray, segment_index: np.ndarray, num_units: int, num_segments: int
) -> dict[str, np.ndarray]:
    """Encode a spike vector's columns into the compact layout.

    Parameters
    ----------
    sample_index, unit_index, segment_index : np.ndarray
        The spike vector's columns (any order within a segment; frames are sorted per unit here).
    num_units, num_segments : int
        Sizes of the sorting (units without spikes get empty trains).

    Returns
    -------
    dict[str, np.ndarray]
        ``deltas``, ``unit_starts``, ``overflow_positions``, ``overflow_values``, ``checkpoint_frames``.
    """
    if len(sample_index) and (sample_index.min() < 0):
        raise ValueError("spike frames must be non-negative")
    # Group by (segment, unit), frames ascending inside each group. A spike vector is in time order, so a
    # stable grouping does it: one pass of a counting sort in numba (O(n), no sort order or sorted copy of the
    # frames) or a stable argsort (a radix sort on a 16-bit key); spikes out of time order inside a train are
    # sorted by frame too (a lexsort, the slow path).
    num_groups = num_units * num_segments
    if num_segments == 1:
        key = np.asarray(unit_index, dtype=np.int64)  # the spike vector's column, not copied
    else:
        key = segment_index.astype(np.int64) * num_units + unit_index
    counts = np.bincount(key, minlength=num_groups)
    starts = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    frames = np.asarray(sample_index, dtype=np.int64)
    compact = np.empty(len(frames), dtype="<u2")
    checkpoint_frames = np.empty(-(-len(frames) // CHECKPOINT_SPIKES), dtype=np.int64)
    grouped_deltas = _grouped_deltas if len(frames) >= NUMBA_MIN_SPIKES else _grouped_deltas_numpy
    in_order, overflow_positions, overflow_values = grouped_deltas(frames, key, starts, compact, checkpoint_frames)
    if not in_order:  # spikes out of time order inside a train: visit them sorted by (group, frame)
        order = np.lexsort((sample_index, key))
        in_order, overflow_positions, overflow_values = grouped_deltas(
            frames[order], key[order], starts, compact, checkpoint_frames
        )
        del order
    del key
    # the numba kernel meets overflows in spike order; readers search them by position
    by_position = np.argsort(overflow_positions, kind="stable")
    overflow_positions, overflow_values = overflow_positions[by_position], overflow_values[by_position]

    unit_starts = np.empty((num_segments, num_units + 1), dtype=np.int64)
    for segment in range(num_segments):
        unit_starts[segment] = starts[segment * num_units : (segment + 1) * num_units + 1]
    return {
        "deltas": compact,
        "unit_starts": unit_starts,
        "overflow_positions": overflow_positions,
        "overflow_values": overflow_values,
        "checkpoint_frames": checkpoint_frames,
    }


def _grouped_deltas_numpy(
    frames: np.ndarray, key: np.ndarray, starts: np.ndarray, compact: np.ndarray, checkpoint_frames: np.ndarray
) -> tuple[bool, np.ndarray, np.ndarray]:
    """``_grouped_deltas`` with numpy: frames gathered by a stable sort of the key, then differenced.

    Holds the sort order, the sorted frames and their deltas (int64 each) and a 16-bit key at its peak.
    """
    small_key = key.astype(np.uint16) if len(starts) - 1 <= 2**16 else key
    order = np.argsort(small_key, kind="stable")
    del small_key
    sorted_frames = frames[order]
    del order
    deltas = np.empty_like(sorted_frames)
    if len(deltas):
        deltas[0] = sorted_frames[0]
        np.subtract(sorted_frames[1:], sorted_frames[:-1], out=deltas[1:])
        first = starts[:-1][starts[1:] > starts[:-1]]
        deltas[first] = sorted_frames[first]
        if deltas.min() < 0:
            return False, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    checkpoint_frames[:] = sorted_frames[::CHECKPOINT_SPIKES]
    del sorted_frames
    positions = np.flatnonzero(deltas >= ESCAPE).astype(np.int64)
    values = deltas[positions]
    np.minimum(deltas, ESCAPE, out=deltas)
    compact[:] = deltas
    return True, positions, values


@numba.njit(cache=True, nogil=True)
def _grouped_deltas(frames, key, starts, compact, checkpoint_frames):  # pragma: no cover - numba
    """One counting-sort pass: each spike's delta to the previous spike of its group, written at its grouped place.

    Fills ``compact`` (deltas clipped to ``ESCAPE``) and ``checkpoint_frames``; returns whether every group's
    frames came in ascending order, and the positions and values of the deltas of ``ESCAPE`` or more.
    """
    num_groups = len(starts) - 1
    next_position = starts[:-1].copy()
    last_frame = np.zeros(num_groups, dtype=np.int64)
    capacity = 1024
    positions = np.empty(capacity, dtype=np.int64)
    values = np.empty(capacity, dtype=np.int64)
    num_overflows = 0
    for i in range(len(frames)):
        group = key[i]
        frame = frames[i]
        position = next_position[group]
        next_position[group] = position + 1
        delta = frame if position == starts[group] else frame - last_frame[group]
        if delta < 0:
            return False, positions[:0], values[:0]
        last_frame[group] = frame
        if position % CHECKPOINT_SPIKES == 0:
            checkpoint_frames[position // CHECKPOINT_SPIKES] = frame
        if delta >= ESCAPE:
            if num_overflows == capacity:
                capacity *= 2
                grown = np.empty(capacity, dtype=np.int64)
                grown[:num_overflows] = positions[:num_overflows]
                positions = grown
                grown = np.empty(capacity, dtype=np.int64)
                grown[:num_overflows] = values[:num_overflows]
                values = grown
            positions[num_overflows] = position
            values[num_overflows] = delta
            num_overflows += 1
            compact[position] = ESCAPE
        else:
            compact[position] = delta
    return True, positions[:num_overflows].copy(), values[:num_overflows].copy()


class CompactSpikeTrains:
    """Reads trains from the compact layout.

    Parameters
    ----------
    deltas : np.ndarray
        The uint16 deltas (a memory map: only what is decoded is read).
    index : dict[str, np.ndarray]
        ``unit_starts``, ``overflow_positions``, ``overflow_values``, ``checkpoint_frames``.
    """

    def __init__(self, deltas: np.ndarray, index: dict[str, np.ndarray]):
        self.deltas = deltas
        self.unit_starts = np.asarray(index["unit_starts"], dtype=np.int64)
        self.overflow_positions = np.asarray(index["overflow_positions"], dtype=np.int64)
        self.overflow_values = np.asarray(index["overflow_values"], dtype=np.int64)
        self.checkpoint_frames = np.asarray(index["checkpoint_frames"], dtype=np.int64)
        self.num_spikes = len(deltas)

    def _frames(self, begin: int, end: int) -> np.ndarray:
        """Frames of spikes ``[begin, end)`` of ``deltas``, where ``begin`` starts a train or is a checkpoint."""
        values = self.deltas[begin:end].astype(np.int64)
        lo, hi = np.searchsorted(self.overflow_positions, [begin, end])
        values[self.overflow_positions[lo:hi] - begin] = self.overflow_values[lo:hi]
        if begin % CHECKPOINT_SPIKES == 0 and len(values):
            values[0] = self.checkpoint_frames[begin // CHECKPOINT_SPIKES]
        return np.cumsum(values)

    def unit_train(
        self, segment_index: int, unit_index: int, start_frame: int | None = None, end_frame: int | None = None
    ) -> np.ndarray:
        """Sorted frames of one unit in one segment, in ``[start_frame, end_frame)`` when given (int64)."""
        first, last = self.unit_starts[segment_index, unit_index : unit_index + 2]
        begin, stop = int(first), int(last)
        if start_frame is not None and stop > begin:
            # Start at the last checkpoint inside the train that is not past start_frame.
            lo = -(-begin // CHECKPOINT_SPIKES)
            hi = (stop - 1) // CHECKPOINT_SPIKES + 1
            k = lo + int(np.searchsorted(self.checkpoint_frames[lo:hi], start_frame, side="right")) - 1
            if k >= lo:
                begin = k * CHECKPOINT_SPIKES
        if end_frame is not None and stop > begin:
            # Stop at the first checkpoint inside the train that is at or past end_frame.
            lo = -(-begin // CHECKPOINT_SPIKES)
            hi = (stop - 1) // CHECKPOINT_SPIKES + 1
            k = lo + int(np.searchsorted(self.checkpoint_frames[lo:hi], end_frame, side="left"))
            if k < hi:
                stop = max(begin, k * CHECKPOINT_SPIKES)
        frames = self._frames(begin, stop)
        if start_frame is not None or end_frame is not None:
            a = 0 if start_frame is None else np.searchsorted(frames, start_frame, side="left")
            b = len(frames) if end_frame is None else np.searchsorted(frames, end_frame, side="left")
            frames = frames[a:b]
        return frames

    def all_frames(self) -> np.ndarray:
        """Every spike's frame, in ``deltas`` order (train by train), decoded in one pass."""
        values = self.deltas.astype(np.int64)
        values[self.overflow_positions] = self.overflow_values
        frames = np.cumsum(values)
        # cumsum ran across trains: subtract, inside each train, the sum of every train before it.
        starts = self.unit_starts[:, :-1].ravel()
        counts = (self.unit_starts[:, 1:] - self.unit_starts[:, :-1]).ravel()
        nonempty = counts > 0
        before = np.where(starts > 0, frames[np.maximum(starts - 1, 0)], 0)
        frames -= np.repeat(before[nonempty], counts[nonempty])
        return frames
