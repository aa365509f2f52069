"""Levels of detail of a SpikeAmplitudes view: an overview inline, every spike in time chunks beside it.

A view of tens of millions of spikes cannot be loaded whole before the page draws. With levels, the
view's own ``units`` hold an **overview** (per unit, the lowest and highest amplitude of each time bin
and a random sample taken at the same rate for every unit), and every spike is stored in **chunks**:
binary files (``amplitude_chunk_file.py``) of consecutive spikes, each named in the view by its time span,
spike count and ``sha1://`` URI. A page draws the overview first and fetches the chunks of the window shown
once the window holds few enough spikes; readers that do not know ``chunks`` draw the overview.
The format is described in ``docs/figure-format.md`` ("Levels of detail").

Each chunk is made, and its part of the overview chosen, by one task on the compression pool: nothing
groups the whole view's spikes at once (at an hour of 1,000 units a sort of 23 M unit indices took longer
than all the chunks).
"""

from __future__ import annotations

import numpy as np

from .amplitude_chunk_file import (
    CODE_NAN,
    CODE_NEGATIVE_INFINITY,
    CODE_POSITIVE_INFINITY,
    amplitude_codes,
    amplitude_values,
    chunk_file_bytes,
)
from .encoding import FigureDataError, check_array, content_uri, map_on_pool
from .spikes import SpikeAmplitudes, SpikeAmplitudesItem

# About 1 MB a chunk file (4 bytes a spike); one chunk loads and decodes in a few ms.
DEFAULT_CHUNK_SPIKES = 250_000
# The overview's random sample: enough to show each unit's density, few enough to draw every frame.
DEFAULT_OVERVIEW_SPIKES = 250_000
# Time bins whose lowest and highest amplitude each unit keeps in the overview (its outliers). Few enough that
# the extremes stay a small part of the overview (1,000 units: 64,000 of ~310,000 spikes), since they
# over-represent each unit's tails against the sample.
DEFAULT_EXTREME_BINS = 32
# Amplitudes are written as int16 multiples of a power-of-two step with at most this many steps to the largest
# |amplitude|: half a step (under 1/2048 of that peak) is below a pixel on any plot of them.
AMPLITUDE_STEPS = 2048


def amplitude_step(values: np.ndarray) -> float:
    """The power of two that amplitudes are written as multiples of: the smallest with at most
    ``AMPLITUDE_STEPS`` steps to the largest finite |value| (0 when no finite value differs from 0)."""
    lowest, highest = (float(values.min()), float(values.max())) if len(values) else (0.0, 0.0)
    if not (np.isfinite(lowest) and np.isfinite(highest)):
        finite = values[np.isfinite(values)]
        lowest, highest = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 0.0)
    peak = max(-lowest, highest)
    if peak == 0.0:
        return 0.0
    return float(2.0 ** np.ceil(np.log2(peak / AMPLITUDE_STEPS)))


class SpikeAmplitudesChunk:
    """Consecutive spikes of a SpikeAmplitudes view (all units), grouped by unit: one binary file beside the view.

    Parameters
    ----------
    start_time_sec, end_time_sec : float
        The time span the chunk covers: its spikes are those of the view in ``[start, end)``
        (the last chunk also holds spikes at ``end``).
    num_spikes : int
        How many spikes the file holds.
    file_bytes : bytes
        The file (``amplitude_chunk_file.chunk_file_bytes``).
    """

    def __init__(self, start_time_sec: float, end_time_sec: float, num_spikes: int, file_bytes: bytes):
        self.start_time_sec = float(start_time_sec)
        self.end_time_sec = float(end_time_sec)
        self.num_spikes = int(num_spikes)
        self._bytes = file_bytes

    def file_bytes(self) -> bytes:
        """The chunk file."""
        return self._bytes

    def entry(self) -> dict:
        """How the view names the chunk: its span, spike count and content URI."""
        return {
            "startTimeSec": self.start_time_sec,
            "endTimeSec": self.end_time_sec,
            "numSpikes": self.num_spikes,
            "dataUri": content_uri(self._bytes),
        }


def chunk_extremes(keys: np.ndarray, codes: np.ndarray, positions: np.ndarray) -> tuple[np.ndarray, ...]:
    """Each (unit, time bin) group's earliest lowest and latest highest amplitude among ``positions`` (spikes
    grouped by ``keys``, a non-decreasing array); NaN and infinite amplitudes count only when a group has
    nothing else (its first spike is then its lowest, and it has no highest).

    Returns the groups' keys, lowest codes and positions, then the keys, highest codes and positions.
    """
    n = len(keys)
    first = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    # One reduction a side on code and rank packed in one integer: the lowest packed value is the lowest code at
    # its earliest rank, the highest the highest code at its latest rank.
    rank_bits = max(int(n).bit_length(), 1)
    shifted = codes.astype(np.int64) + 32768  # 0 to 65535, in the order of the codes
    ranks = np.arange(n, dtype=np.int64)
    finite = (codes != CODE_NAN) & (codes != CODE_POSITIVE_INFINITY) & (codes != CODE_NEGATIVE_INFINITY)
    low = np.minimum.reduceat(np.where(finite, shifted, 65535) << rank_bits | ranks, first) & ((1 << rank_bits) - 1)
    high = np.maximum.reduceat(np.where(finite, shifted, 0) << rank_bits | ranks, first) & ((1 << rank_bits) - 1)
    high = high[finite[high]]  # a group of only NaN and infinities has no highest
    low_values = np.where(finite[low], codes[low], np.int16(CODE_POSITIVE_INFINITY))
    return keys[low], low_values, positions[low], keys[high], codes[high], positions[high]


def pick_extremes(keys: np.ndarray, values: np.ndarray, positions: np.ndarray, highest: bool) -> np.ndarray:
    """The position of each key's lowest value, the earliest on ties (or highest, the latest): chunks' candidates
    merged."""
    if highest:
        order = np.lexsort((-positions, -values.astype(np.int32), keys))
    else:
        order = np.lexsort((positions, values, keys))
    keys = keys[order]
    return positions[order][np.r_[True, keys[1:] != keys[:-1]]] if len(keys) else positions[:0]


def spike_amplitudes_with_levels(
    start_time_sec: float,
    end_time_sec: float,
    unit_ids: list,
    spike_frames: np.ndarray,
    sampling_frequency: float,
    spike_amplitudes: np.ndarray,
    unit_indices: np.ndarray,
    hide_unit_selector: bool = False,
    chunk_spikes: int = DEFAULT_CHUNK_SPIKES,
    overview_spikes: int = DEFAULT_OVERVIEW_SPIKES,
    extreme_bins: int = DEFAULT_EXTREME_BINS,
    seed: int = 0,
) -> SpikeAmplitudes:
    """A SpikeAmplitudes view of many spikes, with an overview inline and every spike in chunks.

    Parameters
    ----------
    start_time_sec, end_time_sec : float
        The time range of the view.
    unit_ids : list
        The units, in the order of the view.
    spike_frames : np.ndarray
        Integer frame of every spike of every unit, ascending (a spike vector's ``sample_index``); a spike's time
        is its frame divided by ``sampling_frequency``.
    sampling_frequency : float
        Frames per second.
    spike_amplitudes : np.ndarray
        One amplitude per spike; written as multiples of a power-of-two step (``amplitude_step``).
    unit_indices : np.ndarray
        Per spike, the position of its unit in ``unit_ids``.
    hide_unit_selector : bool, default: False
        As ``SpikeAmplitudes``.
    chunk_spikes : int, default: 250_000
        Spikes per chunk file (the last one holds the rest).
    overview_spikes : int, default: 250_000
        Expected size of the overview's random sample over all units (each unit's extremes come on top).
    extreme_bins : int, default: 32
        Time bins whose lowest and highest amplitude each unit keeps in the overview.
    seed : int, default: 0
        Seed of the sample (the same spikes give the same figure).

    Returns
    -------
    SpikeAmplitudes
        With ``chunks`` set.
    """
    # taken as given, not copied (a spike vector's ``sample_index`` is a strided view of 23 M int64 at an hour)
    frames = spike_frames
    if not isinstance(frames, np.ndarray) or frames.ndim != 1 or frames.dtype.kind not in "iu":
        raise FigureDataError(
            "spike_frames must be a 1-d numpy array of integer frames (a spike vector's sample_index)"
        )
    amplitudes = check_array(spike_amplitudes, "spike_amplitudes", ndim=1)
    indices = np.asarray(unit_indices)
    num_units = len(unit_ids)
    if not len(frames) == len(amplitudes) == len(indices):
        raise FigureDataError(
            f"spike_amplitudes_with_levels needs one amplitude and one unit index per spike frame; got "
            f"{len(frames)} frames, {len(amplitudes)} amplitudes and {len(indices)} unit indices"
        )
    if len(frames) > 1 and np.any(frames[1:] < frames[:-1]):
        raise FigureDataError("spike_frames must be ascending (sort the spikes by time, e.g. a spike vector)")
    if len(indices) and (indices.min() < 0 or indices.max() >= num_units):
        raise FigureDataError(f"unit_indices must be positions in unit_ids (0 to {num_units - 1})")
    if chunk_spikes < 1:
        raise FigureDataError(f"chunk_spikes must be at least 1, got {chunk_spikes}")
    fs = float(sampling_frequency)
    step = amplitude_step(amplitudes)
    sample_rate = min(1.0, overview_spikes / max(len(frames), 1))
    duration = max(end_time_sec - start_time_sec, 1e-9)
    # Chunks: consecutive spikes, ``chunk_spikes`` each, spanning the view's time range without gaps. Inside a
    # chunk the spikes are grouped by unit (each unit's in time order), so its file needs no unit index a spike.
    edges = list(range(0, len(frames), chunk_spikes)) + [len(frames)]

    def time_of(i: int) -> float:
        return float(np.float32(frames[i] / fs))

    def make_chunk(k: int) -> tuple:
        i0, i1 = edges[k], edges[k + 1]
        units = indices[i0:i1].astype(np.uint16 if num_units <= 1 << 16 else np.uint32)
        grouped = np.argsort(units, kind="stable")
        counts = np.bincount(units, minlength=num_units)
        present = np.flatnonzero(counts)
        chunk_frames = np.ascontiguousarray(frames[i0:i1])[grouped]  # a strided column gathers slower
        codes = amplitude_codes(amplitudes[i0:i1][grouped], step)
        start = start_time_sec if k == 0 else time_of(i0)
        end = end_time_sec if i1 == len(frames) else time_of(i1)
        data = chunk_file_bytes(start, end, fs, present, counts[present], chunk_frames, codes, step)
        chunk = SpikeAmplitudesChunk(start, end, i1 - i0, data)
        # this chunk's part of the overview: its (unit, time bin) extremes, and a sample at the common rate
        bins = ((chunk_frames / fs - start_time_sec) / duration * extreme_bins).astype(np.int64)
        keys = units[grouped].astype(np.int64) * extreme_bins + np.clip(bins, 0, extreme_bins - 1)
        extremes = chunk_extremes(keys, codes, grouped + i0)
        sample = np.flatnonzero(np.random.default_rng([seed, k]).random(i1 - i0) < sample_rate) + i0
        return chunk, extremes, sample

    made = map_on_pool(make_chunk, range(len(edges) - 1))
    chunks = [chunk for chunk, _, _ in made]
    if made:
        low_keys, low_values, low_positions, high_keys, high_values, high_positions = (
            np.concatenate(parts) for parts in zip(*(extremes for _, extremes, _ in made), strict=True)
        )
        kept = np.sort(
            np.concatenate(
                [
                    pick_extremes(low_keys, low_values, low_positions, highest=False),
                    pick_extremes(high_keys, high_values, high_positions, highest=True),
                    *(sample for _, _, sample in made),
                ]
            )
        )
        # a spike both sampled and an extreme once (np.unique's hashing took 0.2 s on 0.3 M positions)
        kept = kept[np.r_[True, kept[1:] != kept[:-1]]]
    else:
        kept = np.zeros(0, dtype=np.int64)
    del made
    # the overview unit by unit, each unit's spikes in time order
    kept_units = indices[kept]
    by_unit = kept[np.argsort(kept_units, kind="stable")]
    bounds = np.r_[0, np.cumsum(np.bincount(kept_units, minlength=num_units))]
    times = np.divide(frames[by_unit], fs, out=np.empty(len(by_unit), dtype=np.float32), casting="same_kind")
    values = amplitude_values(amplitude_codes(amplitudes[by_unit], step), step)
    items = [
        SpikeAmplitudesItem(unit_id, times[bounds[u] : bounds[u + 1]], values[bounds[u] : bounds[u + 1]])
        for u, unit_id in enumerate(unit_ids)
    ]
    return SpikeAmplitudes(start_time_sec, end_time_sec, items, hide_unit_selector=hide_unit_selector, chunks=chunks)
