"""Levels of detail of a SpikeAmplitudes view: an overview inline, every spike in time chunks beside it.

A view of tens of millions of spikes cannot be loaded whole before the page draws. With levels, the
view's own ``units`` hold an **overview** (per unit, the lowest and highest amplitude of each time bin
and a uniform random sample whose rate is the same for every unit), and every spike is stored in
**chunks**: files of consecutive spikes in time order, each named in the view by its time span, spike
count and ``sha1://`` URI. A page draws the overview first and fetches the chunks of the window shown
once the window holds few enough spikes; readers that do not know ``chunks`` draw the overview.
The format is described in ``docs/figure-format.md`` ("Levels of detail").
"""

from __future__ import annotations

import numpy as np

from .encoding import FigureDataError, canonical_json, check_array, check_number, content_uri, map_on_pool
from .spikes import SpikeAmplitudes, SpikeAmplitudesItem

# About 2.5 MB of raw arrays a chunk (10 bytes a spike); one chunk loads and decodes in a few tens of ms.
DEFAULT_CHUNK_SPIKES = 250_000
# The overview's uniform sample: enough to show each unit's density, few enough to draw every frame.
DEFAULT_OVERVIEW_SPIKES = 250_000
# Time bins whose lowest and highest amplitude each unit keeps in the overview (its outliers). Few enough that
# the extremes stay a small part of the overview (1,000 units: 64,000 of ~310,000 spikes), since they
# over-represent each unit's tails against the sample.
DEFAULT_EXTREME_BINS = 32
# The overview is computed for this many spikes' units at once (a few int64 temporaries of this length).
OVERVIEW_BATCH_SPIKES = 1_000_000


class SpikeAmplitudesChunk:
    """Consecutive spikes of a SpikeAmplitudes view (all units): one file beside the view.

    Parameters
    ----------
    start_time_sec, end_time_sec : float
        The time span the chunk covers: its spikes are those of the view in ``[start, end)``
        (the last chunk also holds spikes at ``end``).
    spike_times_sec : np.ndarray
        float32 seconds, ascending within each unit (``spike_amplitudes_with_levels`` groups them by unit).
    spike_amplitudes : np.ndarray
        One amplitude per spike (float32 as the view's).
    unit_indices : np.ndarray
        uint16 or uint32: per spike, the position of its unit in the view's ``units``.
    """

    type = "SpikeAmplitudesChunk"

    def __init__(
        self,
        start_time_sec: float,
        end_time_sec: float,
        spike_times_sec: np.ndarray,
        spike_amplitudes: np.ndarray,
        unit_indices: np.ndarray,
    ):
        self.start_time_sec = check_number(start_time_sec, "startTimeSec")
        self.end_time_sec = check_number(end_time_sec, "endTimeSec")
        self.spike_times_sec = check_array(spike_times_sec, "spikeTimesSec", ndim=1, dtypes=("float32",))
        self.spike_amplitudes = check_array(spike_amplitudes, "spikeAmplitudes", ndim=1)
        self.unit_indices = check_array(unit_indices, "unitIndices", ndim=1, dtypes=("uint16", "uint32"))
        if not len(self.spike_times_sec) == len(self.spike_amplitudes) == len(self.unit_indices):
            raise FigureDataError(
                f"a SpikeAmplitudesChunk needs as many spike times ({len(self.spike_times_sec)}), amplitudes "
                f"({len(self.spike_amplitudes)}) and unit indices ({len(self.unit_indices)})"
            )
        self._bytes: bytes | None = None

    def to_dict(self) -> dict:
        """The chunk file's JSON object."""
        return {
            "type": self.type,
            "startTimeSec": self.start_time_sec,
            "endTimeSec": self.end_time_sec,
            "spikeTimesSec": self.spike_times_sec,
            "spikeAmplitudes": self.spike_amplitudes,
            "unitIndices": self.unit_indices,
        }

    def file_bytes(self, parallel: bool = True) -> bytes:
        """The chunk file (encoded once; ``parallel`` as ``canonical_json``'s)."""
        if self._bytes is None:
            self._bytes = canonical_json(self.to_dict(), parallel=parallel)
        return self._bytes

    def entry(self) -> dict:
        """How the view names the chunk: its span, spike count and content URI."""
        return {
            "startTimeSec": self.start_time_sec,
            "endTimeSec": self.end_time_sec,
            "numSpikes": len(self.spike_times_sec),
            "dataUri": content_uri(self.file_bytes()),
        }


def overview_positions(
    times: np.ndarray,
    amplitudes: np.ndarray,
    bounds: np.ndarray,
    start_time_sec: float,
    end_time_sec: float,
    sample_rate: float,
    extreme_bins: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """Which spikes the overview keeps: each unit's time bins' extremes and a uniform sample of each unit.

    ``times`` and ``amplitudes`` are grouped by unit (unit ``u``'s spikes at ``bounds[u]:bounds[u + 1]``, in time
    order). ``sample_rate`` (0..1) is the same for every unit, so the overview's densities stay in proportion
    across units and over time; the lowest and highest amplitude of each of ``extreme_bins`` equal time bins of
    each unit are kept whatever the sample, so outliers are never left out (NaN and infinite amplitudes are
    passed over; a bin of only those keeps its first spike). Returns ascending positions into the grouped arrays,
    computed for all units at once.
    """
    n = len(times)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    duration = max(end_time_sec - start_time_sec, 1e-9)
    bins = np.clip(((times - start_time_sec) / duration * extreme_bins).astype(np.int64), 0, extreme_bins - 1)
    counts = np.diff(bounds)
    # (unit, bin) never decreases along the grouped spikes: each group is a run
    bins += np.repeat(np.arange(len(counts), dtype=np.int64) * extreme_bins, counts)
    first = np.flatnonzero(np.r_[True, bins[1:] != bins[:-1]])
    del bins
    sizes = np.diff(np.r_[first, n])
    finite = np.isfinite(amplitudes)
    lowest = np.where(finite, amplitudes, np.inf)
    is_low = lowest == np.repeat(np.minimum.reduceat(lowest, first), sizes)
    del lowest
    highest = np.where(finite, amplitudes, -np.inf)
    is_high = finite & (highest == np.repeat(np.maximum.reduceat(highest, first), sizes))
    del highest
    group = np.repeat(np.arange(len(first)), sizes)
    # the earliest lowest amplitude of each group, and the latest highest one (the first spike when none is finite)
    low_positions = np.flatnonzero(is_low)
    keep = [low_positions[np.r_[True, group[low_positions][1:] != group[low_positions][:-1]]]]
    high_positions = np.flatnonzero(is_high)
    if len(high_positions):
        keep.append(high_positions[np.r_[group[high_positions][1:] != group[high_positions][:-1], True]])
    del group, is_low, is_high
    for unit, count in enumerate(counts):
        sample_size = int(round(count * sample_rate))
        if sample_size > 0:
            keep.append(bounds[unit] + rng.choice(count, size=min(sample_size, count), replace=False))
    return np.unique(np.concatenate(keep))


def spike_amplitudes_with_levels(
    start_time_sec: float,
    end_time_sec: float,
    unit_ids: list,
    spike_times_sec: np.ndarray,
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
    spike_times_sec : np.ndarray
        float32 seconds of every spike of every unit, ascending (a spike vector's order).
    spike_amplitudes : np.ndarray
        One amplitude per spike.
    unit_indices : np.ndarray
        Per spike, the position of its unit in ``unit_ids``.
    hide_unit_selector : bool, default: False
        As ``SpikeAmplitudes``.
    chunk_spikes : int, default: 250_000
        Spikes per chunk file (the last one holds the rest).
    overview_spikes : int, default: 250_000
        Size of the overview's uniform sample over all units (each unit's extremes come on top).
    extreme_bins : int, default: 32
        Time bins whose lowest and highest amplitude each unit keeps in the overview.
    seed : int, default: 0
        Seed of the sample (the same spikes give the same figure).

    Returns
    -------
    SpikeAmplitudes
        With ``chunks`` set.
    """
    times = check_array(spike_times_sec, "spike_times_sec", ndim=1, dtypes=("float32",))
    amplitudes = check_array(spike_amplitudes, "spike_amplitudes", ndim=1)
    indices = np.asarray(unit_indices)
    if not len(times) == len(amplitudes) == len(indices):
        raise FigureDataError(
            f"spike_amplitudes_with_levels needs one amplitude and one unit index per spike time; got "
            f"{len(times)} times, {len(amplitudes)} amplitudes and {len(indices)} unit indices"
        )
    if len(times) > 1 and np.any(times[1:] < times[:-1]):
        raise FigureDataError("spike_times_sec must be ascending (sort the spikes by time, e.g. a spike vector)")
    if len(indices) and (indices.min() < 0 or indices.max() >= len(unit_ids)):
        raise FigureDataError(f"unit_indices must be positions in unit_ids (0 to {len(unit_ids) - 1})")
    if chunk_spikes < 1:
        raise FigureDataError(f"chunk_spikes must be at least 1, got {chunk_spikes}")
    index_dtype = np.uint16 if len(unit_ids) <= np.iinfo(np.uint16).max + 1 else np.uint32
    indices = indices.astype(index_dtype, copy=False)

    # Overview: each unit's spikes (a stable sort keeps them in time order), thinned.
    rng = np.random.default_rng(seed)
    sample_rate = min(1.0, overview_spikes / max(len(times), 1))
    by_unit = np.argsort(indices, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(np.bincount(indices, minlength=len(unit_ids)))])
    # units a batch of about OVERVIEW_BATCH_SPIKES spikes at a time: the temporaries stay small at tens of millions
    kept = []
    batch_start = 0
    while batch_start < len(unit_ids):
        batch_end = int(np.searchsorted(bounds, bounds[batch_start] + OVERVIEW_BATCH_SPIKES, side="right"))
        batch_end = min(max(batch_end - 1, batch_start + 1), len(unit_ids))
        first, last = bounds[batch_start], bounds[batch_end]
        own = by_unit[first:last]
        positions = overview_positions(
            times[own],
            amplitudes[own],
            bounds[batch_start : batch_end + 1] - first,
            start_time_sec,
            end_time_sec,
            sample_rate,
            extreme_bins,
            rng,
        )
        kept.append(own[positions])
        batch_start = batch_end
    kept = np.concatenate(kept) if kept else np.zeros(0, dtype=np.int64)
    del by_unit
    kept_bounds = (
        np.searchsorted(indices[kept], np.arange(len(unit_ids) + 1))
        if len(kept)
        else np.zeros(len(unit_ids) + 1, dtype=np.int64)
    )
    items = [
        SpikeAmplitudesItem(
            unit_id,
            times[kept[kept_bounds[position] : kept_bounds[position + 1]]],
            amplitudes[kept[kept_bounds[position] : kept_bounds[position + 1]]],
        )
        for position, unit_id in enumerate(unit_ids)
    ]

    # Chunks: consecutive spikes, ``chunk_spikes`` each, spanning the view's time range without gaps. Inside a
    # chunk the spikes are grouped by unit (each unit's in time order): the unit indices then compress to almost
    # nothing and each unit's amplitudes sit together, which saves more than the times lose.
    # Chunks are made and encoded two or more at once (sorting, gathering and zlib release the GIL).
    edges = list(range(0, len(times), chunk_spikes)) + [len(times)]

    def make_chunk(k: int) -> SpikeAmplitudesChunk:
        i0, i1 = edges[k], edges[k + 1]
        grouped = np.argsort(indices[i0:i1], kind="stable")
        chunk = SpikeAmplitudesChunk(
            start_time_sec if k == 0 else float(times[i0]),
            end_time_sec if i1 == len(times) else float(times[i1]),
            times[i0:i1][grouped],
            amplitudes[i0:i1][grouped],
            indices[i0:i1][grouped],
        )
        chunk.file_bytes(parallel=False)
        return chunk

    chunks = map_on_pool(make_chunk, range(len(edges) - 1))
    return SpikeAmplitudes(start_time_sec, end_time_sec, items, hide_unit_selector=hide_unit_selector, chunks=chunks)
