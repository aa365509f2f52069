"""Views read straight from a SortingAnalyzer's extensions, for the summaries.

The per-widget builders read SpikeInterface's ``data_plot``; the summaries build several views at
once and read the extensions directly instead: no widget data preparation, no dense float64 copies,
and a seeded subsample so the same analyzer always gives the same figure.
"""

from __future__ import annotations

import numpy as np

from .. import views
from .common import display_precision, histogram_edges_sec, plain_unit_id, plain_unit_ids

SUBSAMPLE_SEED = 0


def unit_positions(analyzer, unit_ids: list) -> np.ndarray:
    all_unit_ids = list(analyzer.unit_ids)
    return np.array([all_unit_ids.index(u) for u in unit_ids], dtype=int)


# Above this many spikes (and without max_spikes_per_unit) the amplitudes are written with levels of detail:
# an overview in the view and every spike in time chunks (views/amplitude_levels.py). Below it every spike
# is inline, which the page loads and draws at once. Levels take a 10-minute Neuropixels summary (2.7 M spikes)
# from 20 MB of inline arrays to a 2 MB overview and 11 MB of chunks, and its publish from 0.55 to 0.24 s.
AMPLITUDE_LEVELS_MIN_SPIKES = 1_000_000
# With curation the threshold is higher: the overview and the chunks carry no spike's position in its unit, so a
# unit split in the page is drawn in its parts' colours only when every spike is inline.
AMPLITUDE_LEVELS_MIN_SPIKES_CURATION = 4_000_000


def amplitudes_view(
    analyzer,
    unit_ids: list,
    max_spikes_per_unit: int | None = None,
    hide_unit_selector: bool = True,
    with_spike_indices: bool = False,
    levels_min_spikes: int | None = None,
) -> views.SpikeAmplitudes:
    """Spike amplitudes of the first segment, split per unit from the spike vector.

    ``with_spike_indices`` gives each drawn spike's position in its unit's train (for curation). With more
    than ``levels_min_spikes`` spikes (and no ``max_spikes_per_unit``), an overview and chunks instead (whose
    spikes carry no positions: a split unit is drawn whole there); by default ``AMPLITUDE_LEVELS_MIN_SPIKES``, or
    ``AMPLITUDE_LEVELS_MIN_SPIKES_CURATION`` with spike indices.
    The spike vector is in segment order, so the first segment is a slice (a view, not a copy: at an
    hour of 1,000 units the vector is 550 MB); each unit's spikes are found from one stable argsort of
    the unit indices and their counts.
    """
    spikes = analyzer.sorting.to_spike_vector()
    amplitudes = analyzer.get_extension("spike_amplitudes").get_data(copy=False)  # only read: no copy of 23 M values
    end = int(np.searchsorted(spikes["segment_index"], 1))
    spikes, amplitudes = spikes[:end], amplitudes[:end]
    if levels_min_spikes is None:
        levels_min_spikes = AMPLITUDE_LEVELS_MIN_SPIKES_CURATION if with_spike_indices else AMPLITUDE_LEVELS_MIN_SPIKES
    if max_spikes_per_unit is None and len(spikes) > levels_min_spikes:
        return amplitudes_with_levels(analyzer, unit_ids, spikes, amplitudes, hide_unit_selector)
    num_units = analyzer.get_num_units()
    # a stable sort keeps each unit's spikes in time order (a radix sort on 16-bit unit indices)
    unit_dtype = np.int16 if num_units < 2**15 else np.int32
    unit_indices = spikes["unit_index"].astype(unit_dtype)
    order = np.argsort(unit_indices, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(np.bincount(unit_indices, minlength=num_units))])
    del unit_indices
    rng = np.random.default_rng(SUBSAMPLE_SEED)
    fs = analyzer.sampling_frequency
    # Times and rounded amplitudes of every spike in a few whole-array passes, grouped by unit in one gather each;
    # each unit's arrays are then slices (the same values as computed unit by unit, in far fewer numpy calls).
    times_all = np.divide(spikes["sample_index"], fs, out=np.empty(len(spikes), dtype=np.float32), casting="same_kind")
    grouped_times, grouped_amplitudes = times_all[order], display_precision(amplitudes)[order]
    del times_all
    items = []
    for unit_id, unit_index in zip(unit_ids, unit_positions(analyzer, unit_ids), strict=True):
        first, last = bounds[unit_index], bounds[unit_index + 1]
        times, unit_amplitudes = grouped_times[first:last], grouped_amplitudes[first:last]
        # positions in the unit's train (its first-segment spikes come first); the same draws as choosing indices
        positions = np.arange(last - first)
        if max_spikes_per_unit is not None and last - first > max_spikes_per_unit:
            positions = np.sort(rng.choice(last - first, size=max_spikes_per_unit, replace=False))
            times, unit_amplitudes = times[positions], unit_amplitudes[positions]
        drawn = positions if with_spike_indices else None
        items.append(views.SpikeAmplitudesItem(plain_unit_id(unit_id), times, unit_amplitudes, drawn))
    duration = analyzer.get_num_samples(0) / fs
    return views.SpikeAmplitudes(0.0, duration, items, hide_unit_selector=hide_unit_selector)


def amplitudes_with_levels(
    analyzer, unit_ids: list, spikes: np.ndarray, amplitudes: np.ndarray, hide_unit_selector: bool
) -> views.SpikeAmplitudes:
    """The amplitudes of one segment's spike vector as an overview and time chunks (in spike vector order)."""
    positions = spikes["unit_index"]
    if list(unit_ids) != list(analyzer.unit_ids):
        # the view's position of each of the analyzer's units; units left out of the view are dropped
        # (4-byte positions: at 23 M spikes each int64 temporary is 183 MB)
        view_position = np.full(analyzer.get_num_units(), -1, dtype=np.int32)
        view_position[unit_positions(analyzer, unit_ids)] = np.arange(len(unit_ids))
        positions = view_position[positions]
        kept = positions >= 0
        if not kept.all():
            spikes, amplitudes, positions = spikes[kept], amplitudes[kept], positions[kept]
        del kept
    fs = analyzer.sampling_frequency
    return views.spike_amplitudes_with_levels(
        0.0,
        analyzer.get_num_samples(0) / fs,
        plain_unit_ids(unit_ids),
        spikes["sample_index"],
        fs,
        amplitudes,
        positions,
        hide_unit_selector=hide_unit_selector,
        seed=SUBSAMPLE_SEED,
    )


def templates_view(analyzer, unit_ids: list, sorting_uri: str | None = None, sparsity=None) -> views.AverageWaveforms:
    """Average templates on each unit's channels of ``sparsity`` (by default the analyzer's), shaded by their
    standard deviation when computed."""
    templates = analyzer.get_extension("templates")
    average = templates.data["average"]
    std = templates.data.get("std")
    channel_ids = np.asarray(analyzer.channel_ids)
    sparsity = sparsity if sparsity is not None else analyzer.sparsity
    items = []
    for unit_id, unit_index in zip(unit_ids, unit_positions(analyzer, unit_ids), strict=True):
        if sparsity is not None:
            channels = sparsity.unit_id_to_channel_indices[unit_id]
        else:
            channels = np.arange(len(channel_ids))
        waveform = display_precision(average[unit_index][:, channels].T)
        std_dev = None if std is None else display_precision(std[unit_index][:, channels].T)
        items.append(
            views.AverageWaveformItem(
                plain_unit_id(unit_id), plain_unit_ids(channel_ids[channels]), waveform, waveform_std_dev=std_dev
            )
        )
    return views.AverageWaveforms(
        items,
        channel_ids=plain_unit_ids(channel_ids),
        channel_locations=analyzer.get_channel_locations(),
        show_reference_probe=True,
        sorting_uri=sorting_uri,
    )


def crosscorrelogram_items(
    unit_ids: list, correlograms: np.ndarray, bins_ms: np.ndarray, similarity: np.ndarray | None, min_similarity: float
) -> list[views.CrossCorrelogramItem]:
    """Each pair once (i <= j), and with a similarity matrix only pairs at least ``min_similarity`` alike."""
    edges = histogram_edges_sec(bins_ms)
    ids = plain_unit_ids(unit_ids)
    # the pairs kept, found on the whole matrix at once (1,000 units: half a million pairs), in row-major order
    keep = np.triu(np.ones((len(ids), len(ids)), dtype=bool))
    if similarity is not None:
        keep &= ~(similarity < min_similarity) | np.eye(len(ids), dtype=bool)  # NaN similarities are kept
    rows, columns = np.nonzero(keep)
    return [
        views.CrossCorrelogramItem(ids[i], ids[j], edges, correlograms[i, j].astype("int32"))
        for i, j in zip(rows.tolist(), columns.tolist(), strict=True)
    ]


def crosscorrelograms_view(
    analyzer, unit_ids: list, min_similarity: float, sorting_uri: str | None = None
) -> views.CrossCorrelograms:
    correlograms, bins_ms = analyzer.get_extension("correlograms").get_data()
    similarity = analyzer.get_extension("template_similarity").get_data()
    positions = unit_positions(analyzer, unit_ids)
    if not np.array_equal(positions, np.arange(analyzer.get_num_units())):
        # one copy of the units shown (at 1,000 units the whole array is 400 MB: not copied when all are shown)
        correlograms = correlograms[np.ix_(positions, positions)]
        similarity = similarity[np.ix_(positions, positions)]
    items = crosscorrelogram_items(unit_ids, correlograms, bins_ms, similarity, min_similarity)
    return views.CrossCorrelograms(items, hide_unit_selector=True, sorting_uri=sorting_uri)


def unit_locations_view(analyzer, unit_ids: list) -> views.UnitLocations:
    locations = analyzer.get_extension("unit_locations").get_data()
    items = [
        views.UnitLocationsItem(plain_unit_id(u), float(locations[i, 0]), float(locations[i, 1]))
        for u, i in zip(unit_ids, unit_positions(analyzer, unit_ids), strict=True)
    ]
    return views.UnitLocations(
        items,
        channel_ids=plain_unit_ids(analyzer.channel_ids),
        channel_locations=analyzer.get_channel_locations(),
        disable_auto_rotate=True,
    )
