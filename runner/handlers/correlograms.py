"""Auto- and cross-correlograms of units and merge groups, counted by a numba two-pointer sweep."""

from __future__ import annotations

import math

import numba
import numpy as np

from ..handler_io.data import DataSource
from ..handler_io.errors import HandlerInputError
from ..handler_io.inputs import TaskInput, plain_id, resolve_id, resolve_unit_groups
from ..handler_io.result import HandlerResult
from ..handler_io.spikes import SpikeTrains

DEFAULT_WINDOW_MS = 50.0
DEFAULT_BIN_MS = 1.0
MAX_WINDOW_MS = 2000.0
MAX_BINS = 2001
# Shorter bins than a microsecond are finer than any sampling rate SpikeInterface reads.
MIN_BIN_MS = 0.001
# With cross-correlograms on, n groups give n(n+1)/2 correlograms.
MAX_GROUPS = 64


@numba.njit(cache=True, nogil=True)
def _count_lags(train1, train2, half_width, bin_size, num_bins, same_train, counts):  # pragma: no cover - numba
    """Add to ``counts`` the lags ``train2[j] - train1[i]`` falling in each bin.

    Both trains are sorted sample indices. Bin k covers lags in
    ``[k * bin_size - half_width, (k + 1) * bin_size - half_width)``. With ``same_train``
    (an autocorrelogram) a spike is not paired with itself, but two spikes at the same
    sample (from two merged units) are.
    """
    n2 = train2.shape[0]
    first = 0
    for i in range(train1.shape[0]):
        t1 = train1[i]
        # The sweep: spikes of train2 too early for this t1 are too early for every later t1.
        while first < n2 and train2[first] - t1 < -half_width:
            first += 1
        j = first
        while j < n2:
            lag = train2[j] - t1
            if lag >= half_width:
                break
            if not (same_train and j == i):
                k = int(math.floor((lag + half_width) / bin_size))
                if k >= 0 and k < num_bins:
                    counts[k] += 1
            j += 1


def correlogram_bins(window_ms: float, bin_ms: float) -> int:
    """Number of bins: ``window_ms / bin_ms`` rounded, made odd so that one bin is centred on zero lag."""
    num_bins = int(round(window_ms / bin_ms))
    if num_bins % 2 == 0:
        num_bins -= 1
    return num_bins


def bin_edges_sec(num_bins: int, bin_ms: float) -> np.ndarray:
    """Edges ``(arange(n + 1) - n / 2) * bin_ms`` in seconds, float32 (docs/compute-api.md, correlograms)."""
    return ((np.arange(num_bins + 1) - num_bins / 2) * bin_ms / 1000.0).astype(np.float32)


def count_correlogram(
    train1: np.ndarray, train2: np.ndarray, num_bins: int, bin_samples: float, same_train: bool
) -> np.ndarray:
    """Lag counts (int64) of two sorted sample-index trains; ``same_train`` for an autocorrelogram."""
    counts = np.zeros(num_bins, dtype=np.int64)
    _count_lags(
        np.ascontiguousarray(train1, dtype=np.int64),
        np.ascontiguousarray(train2, dtype=np.int64),
        num_bins * bin_samples / 2.0,
        bin_samples,
        num_bins,
        same_train,
        counts,
    )
    return counts


def group_correlogram(
    trains: SpikeTrains,
    group1: list[int],
    group2: list[int] | None,
    num_bins: int,
    bin_ms: float,
    segment_index: int | None,
) -> np.ndarray:
    """Correlogram of two unit groups (``group2=None`` for the autocorrelogram of ``group1``), summed over segments."""
    bin_samples = bin_ms * trains.sampling_frequency / 1000.0
    segments = range(trains.num_segments) if segment_index is None else [segment_index]
    counts = np.zeros(num_bins, dtype=np.int64)
    for segment in segments:
        train1 = trains.group_train(group1, segment)
        if group2 is None:
            counts += count_correlogram(train1, train1, num_bins, bin_samples, same_train=True)
        else:
            train2 = trains.group_train(group2, segment)
            # SpikeInterface's convention (the figures' correlograms): lag = time in group 1 - time in group 2
            counts += count_correlogram(train2, train1, num_bins, bin_samples, same_train=False)
    return counts.astype(np.int32)


def _window(task: TaskInput, window_key: str, bin_key: str) -> tuple[int, float]:
    window_ms = task.number(window_key, DEFAULT_WINDOW_MS, minimum=0, maximum=MAX_WINDOW_MS)
    bin_ms = task.number(bin_key, DEFAULT_BIN_MS, minimum=0)
    if bin_ms <= 0 or window_ms <= 0:
        raise HandlerInputError(f"{window_key} and {bin_key} must be positive, got {window_ms} and {bin_ms}")
    if bin_ms < MIN_BIN_MS:
        raise HandlerInputError(f"{bin_key} must be at least {MIN_BIN_MS} ms (one microsecond), got {bin_ms}")
    num_bins = correlogram_bins(window_ms, bin_ms)
    if num_bins < 1:
        raise HandlerInputError(f"{window_key}={window_ms} is shorter than one bin of {bin_key}={bin_ms}; widen it")
    if num_bins > MAX_BINS:
        raise HandlerInputError(
            f"{window_key}/{bin_key} gives {num_bins} bins; at most {MAX_BINS}, use larger bins or a shorter window"
        )
    return num_bins, bin_ms


def _segment(task: TaskInput, trains: SpikeTrains) -> int | None:
    if not task.has("segment_index"):
        return None
    return task.integer("segment_index", minimum=0, maximum=trains.num_segments - 1)


def correlograms(task_input: dict, data: DataSource) -> HandlerResult:
    """``sortingview.correlograms.1``: auto- (and cross-) correlograms of units or merge groups.

    Input: ``sorting_uri``, ``unit_groups`` (a list; each item a unit id or a list of unit ids
    whose spike trains are merged), ``window_ms`` (50), ``bin_ms`` (1), ``num_bins`` (default:
    ``window_ms / bin_ms`` made odd; give it to match a figure's bins), ``segment_index``
    (default: all segments summed), ``cross`` (true: also every pair of groups).
    """
    task = TaskInput(
        task_input,
        required=("sorting_uri", "unit_groups"),
        optional=("window_ms", "bin_ms", "num_bins", "segment_index", "cross"),
    )
    num_bins, bin_ms = _window(task, "window_ms", "bin_ms")
    if task.has("num_bins"):
        # match a figure's own bins (SpikeInterface's are even: 50 bins from -25 to 25 ms)
        num_bins = task.integer("num_bins", minimum=1, maximum=MAX_BINS)
    include_cross = task.boolean("cross", True)
    trains = data.spike_trains(task.string("sorting_uri"))
    segment_index = _segment(task, trains)
    groups = resolve_unit_groups(task.raw("unit_groups"), trains.unit_ids, "unit_groups", MAX_GROUPS)

    def ids(group: list[int]) -> list:
        return [plain_id(trains.unit_ids[u]) for u in group]

    autos = [
        {"unitIds": ids(g), "binCounts": group_correlogram(trains, g, None, num_bins, bin_ms, segment_index)}
        for g in groups
    ]
    crosses = []
    if include_cross:
        for i, g1 in enumerate(groups):
            for g2 in groups[i + 1 :]:
                counts = group_correlogram(trains, g1, g2, num_bins, bin_ms, segment_index)
                crosses.append({"unitIds1": ids(g1), "unitIds2": ids(g2), "binCounts": counts})
    return HandlerResult(
        {
            "binEdgesSec": bin_edges_sec(num_bins, bin_ms),
            "autocorrelograms": autos,
            "crossCorrelograms": crosses,
        }
    )


def fetch_cross_correlogram(task_input: dict, data: DataSource) -> HandlerResult:
    """``spikesortingview.fetch_cross_correlogram.2`` (the old backend's task, kept for old pages).

    Input: ``data_uri`` (the sorting URI), ``unit_id1``, ``unit_id2`` (equal ids, or ``unit_id2``
    null, give the autocorrelogram), optional ``window_size_msec`` (50), ``bin_size_msec`` (1).
    Output: ``{binEdgesSec, binCounts}``.
    """
    task = TaskInput(
        task_input,
        required=("data_uri", "unit_id1"),
        optional=("unit_id2", "window_size_msec", "bin_size_msec"),
    )
    num_bins, bin_ms = _window(task, "window_size_msec", "bin_size_msec")
    trains = data.spike_trains(task.string("data_uri"))
    unit1 = resolve_id(task.raw("unit_id1"), trains.unit_ids, "unit_id1")
    unit2 = unit1
    if task.has("unit_id2"):
        unit2 = resolve_id(task.raw("unit_id2"), trains.unit_ids, "unit_id2")
    group2 = None if unit2 == unit1 else [unit2]
    counts = group_correlogram(trains, [unit1], group2, num_bins, bin_ms, None)
    return HandlerResult({"binEdgesSec": bin_edges_sec(num_bins, bin_ms), "binCounts": counts})
