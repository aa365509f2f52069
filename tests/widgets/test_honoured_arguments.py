"""Every argument the parity table says is honoured, shown in the figure: the right units, channels, ranges."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pytest
import spikeinterface.full as si
from spikeinterface.widgets.utils import get_segment_durations

import spikeinterface_sortingview as sv
from spikeinterface_sortingview.widgets.arguments import HONOURED
from spikeinterface_sortingview.widgets.parity import PARITY
from tests.widgets.leaves import figure_leaves, leaf_types, only

QUIET = dict(backend="sortingview", generate_url=False, display=False)


@dataclass
class Case:
    """A widget called with ``kwargs`` (a callable gets the analyzer) on ``source``; ``check(leaves, analyzer)``."""

    widget: str
    argument: str
    kwargs: dict | Callable
    check: Callable[[list[dict], object], None]
    source: str = "analyzer"  # or "two_segments": the 3 s + 2 s analyzer
    id: str = field(default="")


def unit_ids_of(leaf: dict, key: str = "units") -> list:
    return [item["unitId"] for item in leaf[key]]


def table_units(leaves) -> list:
    return [row["unitId"] for row in only(leaves, "UnitsTable")["rows"]]


def spike_counts(analyzer, segment_index: int) -> dict:
    return {u: len(analyzer.sorting.get_unit_spike_train(u, segment_index=segment_index)) for u in analyzer.unit_ids}


def check_amplitudes_units(leaves, a):
    assert unit_ids_of(only(leaves, "SpikeAmplitudes")) == ["2", "5"] == table_units(leaves)


def check_amplitudes_segment_1(leaves, a):
    view = only(leaves, "SpikeAmplitudes")
    # SpikeInterface's durations end at the last spike
    assert view["endTimeSec"] == pytest.approx(get_segment_durations(a.sorting, [1])[0])
    assert [len(u["spikeTimesSec"]) for u in view["units"]] == list(spike_counts(a, 1).values())


def check_at_most_10_spikes_in_time_order(leaves, a):
    for unit in only(leaves, "SpikeAmplitudes")["units"]:
        assert 0 < len(unit["spikeTimesSec"]) <= 10 and np.all(np.diff(unit["spikeTimesSec"]) >= 0)


def check_every_third_spike(leaves, a):
    counts = spike_counts(a, 0)
    for unit in only(leaves, "SpikeAmplitudes")["units"]:
        assert len(unit["spikeTimesSec"]) == -(-counts[unit["unitId"]] // 3)


def check_only(view_type: str):
    def check(leaves, a):
        assert leaf_types(leaves) == [view_type]

    return check


def check_amplitudes_window(leaves, a):
    view = only(leaves, "SpikeAmplitudes")
    assert (view["startTimeSec"], view["endTimeSec"]) == (2.0, 5.0)
    times = np.concatenate([u["spikeTimesSec"] for u in view["units"]])
    assert len(times) > 0 and times.min() >= 2.0 and times.max() <= 5.0


def check_correlogram_units(key: str, ids: list):
    def check(leaves, a):
        (view,) = leaves
        found = {item.get("unitId", item.get("unitId1")) for item in view[key]}
        found |= {item.get("unitId2", item.get("unitId")) for item in view[key]}
        assert found == set(ids)

    return check


def check_bins_of_2_ms_over_20_ms(leaves, a):
    (view,) = leaves
    key = "autocorrelograms" if view["type"] == "Autocorrelograms" else "crossCorrelograms"
    edges = view[key][0]["binEdgesSec"]
    assert np.allclose(np.diff(edges), 0.002) and edges[-1] - edges[0] == pytest.approx(0.02)


def check_every_autocorrelogram(leaves, a):
    (view,) = leaves
    assert len(view["autocorrelograms"]) == a.get_num_units()


def check_only_autocorrelogram_pairs(leaves, a):
    (view,) = leaves
    pairs = [(c["unitId1"], c["unitId2"]) for c in view["crossCorrelograms"]]
    assert len(pairs) == a.get_num_units() and all(u1 == u2 for u1, u2 in pairs)


def check_hidden_cross_selector(leaves, a):
    (view,) = leaves
    assert view["hideUnitSelector"] is True


def check_metric_units(leaves, a):
    assert unit_ids_of(only(leaves, "UnitMetricsGraph")) == ["0", "4"] == table_units(leaves)


def check_metric_keys(keys: set, absent: set = frozenset()):
    def check(leaves, a):
        found = {m["key"] for m in only(leaves, "UnitMetricsGraph")["metrics"]}
        assert keys <= found and not (absent & found)

    return check


def check_table_without_metrics(leaves, a):
    table = only(leaves, "UnitsTable")
    assert table["columns"] == [] and len(table["rows"]) == a.get_num_units()


def check_summary_units(leaves, a):
    assert table_units(leaves) == ["0", "1", "2"]
    assert unit_ids_of(only(leaves, "AverageWaveforms"), "averageWaveforms") == ["0", "1", "2"]


def two_best_channels(a):
    return si.compute_sparsity(a, method="best_channels", num_channels=2)


def check_two_channels_a_unit(leaves, a):
    for item in only(leaves, "AverageWaveforms")["averageWaveforms"]:
        expected = two_best_channels(a).unit_id_to_channel_ids[item["unitId"]]
        assert item["channelIds"] == [str(c) for c in expected]


def check_at_most_5_amplitudes(leaves, a):
    assert all(len(u["spikeTimesSec"]) <= 5 for u in only(leaves, "SpikeAmplitudes")["units"])


def check_summary_threshold_above_every_pair(leaves, a):
    pairs = only(leaves, "CrossCorrelograms")["crossCorrelograms"]
    assert all(c["unitId1"] == c["unitId2"] for c in pairs)
    assert only(leaves, "UnitsTable").get("similarityScores", []) == []


def check_curation_labels(leaves, a):
    assert only(leaves, "SortingCuration2")["labelChoices"] == ["mua", "noise"]


def first_unit_good(a) -> dict:
    """A SpikeInterface (v2) curation giving the first unit the label "good"."""
    first = a.unit_ids[0].item()
    return {
        "curation": True,
        "curation_dict": {
            "format_version": "2",
            "unit_ids": [u.item() for u in a.unit_ids],
            "label_definitions": {"quality": {"label_options": ["good", "noise"], "exclusive": True}},
            "manual_labels": [{"unit_id": first, "labels": {"quality": ["good"]}}],
        },
    }


def check_first_unit_good(leaves, a):
    start = only(leaves, "SortingCuration2")["curation"]
    assert start["labelsByUnit"] == {str(a.unit_ids[0]): ["good"]}


def check_label_definitions(leaves, a):
    start = only(leaves, "SortingCuration2")["curation"]
    assert start["labelChoices"] == ["good", "mua"] and start["labelDefinitions"]["quality"]["exclusive"] is True


def check_columns(keys: list):
    def check(leaves, a):
        assert [c["key"] for c in only(leaves, "UnitsTable")["columns"]] == keys

    return check


def check_spike_location_units(ids: list):
    def check(leaves, a):
        assert unit_ids_of(only(leaves, "SpikeLocations")) == ids == table_units(leaves)

    return check


def all_units_starting_with(first: str):
    def ids(a) -> list:
        return [first] + [str(u) for u in a.unit_ids if u != first]

    return ids


def check_all_spike_locations_from_3(leaves, a):
    check_spike_location_units(all_units_starting_with("3")(a))(leaves, a)


def check_spike_locations_of_segment_1(leaves, a):
    units = only(leaves, "SpikeLocations")["units"]
    assert [len(u["xLocations"]) for u in units] == list(spike_counts(a, 1).values())
    assert max(u["spikeTimesSec"].max() for u in units) <= a.get_num_samples(1) / a.sampling_frequency


def check_at_most_5_spike_locations(leaves, a):
    for unit in only(leaves, "SpikeLocations")["units"]:
        assert 0 < len(unit["xLocations"]) <= 5


def check_similarity_units(leaves, a):
    assert only(leaves, "UnitSimilarityMatrix")["unitIds"] == ["1", "2", "4"]


def check_diagonal_shown(leaves, a):
    scores = only(leaves, "UnitSimilarityMatrix")["similarityScores"]
    assert [s["similarity"] for s in scores if s["unitId1"] == s["unitId2"]] == pytest.approx([1.0] * 8, abs=1e-3)


def check_location_units(ids):
    def check(leaves, a):
        expected = ids(a) if callable(ids) else ids
        assert unit_ids_of(only(leaves, "UnitLocations")) == expected == table_units(leaves)

    return check


def check_templates_on_every_third_channel(leaves, a):
    """The issue's case: a sparse analyzer, channel_ids=analyzer.channel_ids[::3]."""
    expected = [str(c) for c in a.channel_ids[::3]]
    items = only(leaves, "AverageWaveforms")["averageWaveforms"]
    assert len(items) == a.get_num_units()
    for item in items:
        assert item["channelIds"] == expected and item["waveform"].shape[0] == len(expected)
    # where the analyzer's sparsity holds a channel, that channel's template is drawn
    templates = a.get_extension("templates").get_templates()
    channel = list(a.channel_ids).index(a.channel_ids[::3][0])
    np.testing.assert_allclose(items[0]["waveform"][0], templates[0][:, channel], rtol=2**-11, atol=1e-6)


def check_template_units(leaves, a):
    assert unit_ids_of(only(leaves, "AverageWaveforms"), "averageWaveforms") == ["6", "1"] == table_units(leaves)


def check_percentiles(count: int | None):
    def check(leaves, a):
        for item in only(leaves, "AverageWaveforms")["averageWaveforms"]:
            assert len(item.get("waveformPercentiles", [])) == (count or 0)

    return check


def check_raster_two_segments(leaves, a):
    view = only(leaves, "RasterPlot")
    first, second = get_segment_durations(a.sorting, [0, 1])
    assert view["endTimeSec"] == pytest.approx(first + second)
    totals = {u: spike_counts(a, 0)[u] + spike_counts(a, 1)[u] for u in a.unit_ids}
    assert {p["unitId"]: len(p["spikeTimesSec"]) for p in view["plots"]} == totals
    assert max(p["spikeTimesSec"].max() for p in view["plots"]) > first  # segment 1 comes after segment 0


def check_raster_units(leaves, a):
    assert [p["unitId"] for p in only(leaves, "RasterPlot")["plots"]] == ["7", "0"]


def check_raster_window(leaves, a):
    view = only(leaves, "RasterPlot")
    assert (view["startTimeSec"], view["endTimeSec"]) == (1.0, 2.0)
    times = np.concatenate([p["spikeTimesSec"] for p in view["plots"]])
    assert len(times) > 0 and times.min() >= 1.0 and times.max() <= 2.0


def check_raster_with_table(leaves, a):
    assert leaf_types(leaves) == ["UnitsTable", "RasterPlot"]


def check_every_other_raster_spike(leaves, a):
    counts = spike_counts(a, 0)
    assert all(len(p["spikeTimesSec"]) == -(-counts[p["unitId"]] // 2) for p in only(leaves, "RasterPlot")["plots"])


def check_unit_summary_of_unit_0(leaves, a):
    assert unit_ids_of(only(leaves, "AverageWaveforms"), "averageWaveforms") == ["0"]


def check_unit_summary_two_channels(leaves, a):
    (item,) = only(leaves, "AverageWaveforms")["averageWaveforms"]
    assert len(item["channelIds"]) == 2


def check_unit_summary_parts(leaves, a):
    assert len(unit_ids_of(only(leaves, "UnitLocations"))) == a.get_num_units()
    assert len(only(leaves, "SpikeAmplitudes")["units"][0]["spikeTimesSec"]) <= 3


def check_agreement_order(ordered: bool):
    def check(leaves, a):
        (view,) = leaves
        comparison = si.compare_sorter_to_ground_truth(a.sorting, a.sorting)
        scores = comparison.get_ordered_agreement_scores() if ordered else comparison.agreement_scores
        assert view["sorting1UnitIds"] == [str(u) for u in scores.index]
        assert view["sorting2UnitIds"] == [str(u) for u in scores.columns]

    return check


def check_traces_channels(leaves, a):
    (view,) = leaves
    assert [str(c) for c in sv.load_recording(view["uri"]).channel_ids] == ["1", "3"]


CASES = [
    Case("plot_amplitudes", "unit_ids", {"unit_ids": ["2", "5"]}, check_amplitudes_units),
    Case("plot_amplitudes", "segment_indices", {"segment_indices": [1]}, check_amplitudes_segment_1, "two_segments"),
    Case("plot_amplitudes", "max_spikes_per_unit", {"max_spikes_per_unit": 10}, check_at_most_10_spikes_in_time_order),
    Case("plot_amplitudes", "scatter_decimate", {"scatter_decimate": 3}, check_every_third_spike),
    Case("plot_amplitudes", "hide_unit_selector", {"hide_unit_selector": True}, check_only("SpikeAmplitudes")),
    Case("plot_amplitudes", "x_lim", {"x_lim": (2.0, 5.0)}, check_amplitudes_window),
    Case(
        "plot_autocorrelograms",
        "unit_ids",
        {"unit_ids": ["1", "3"]},
        check_correlogram_units("autocorrelograms", ["1", "3"]),
    ),
    Case(
        "plot_autocorrelograms",
        "window_ms",
        lambda a: {"sorting_analyzer_or_sorting": a.sorting, "window_ms": 20.0, "bin_ms": 2.0},
        check_bins_of_2_ms_over_20_ms,
    ),
    Case(
        "plot_autocorrelograms",
        "bin_ms",
        lambda a: {"sorting_analyzer_or_sorting": a.sorting, "window_ms": 20.0, "bin_ms": 2.0},
        check_bins_of_2_ms_over_20_ms,
    ),
    Case(
        "plot_autocorrelograms",
        "min_similarity_for_correlograms",
        {"min_similarity_for_correlograms": 0.99},
        check_every_autocorrelogram,
    ),
    Case("plot_autocorrelograms", "hide_unit_selector", {"hide_unit_selector": True}, check_only("Autocorrelograms")),
    Case(
        "plot_crosscorrelograms",
        "unit_ids",
        {"unit_ids": ["1", "3"]},
        check_correlogram_units("crossCorrelograms", ["1", "3"]),
    ),
    Case(
        "plot_crosscorrelograms",
        "window_ms",
        lambda a: {"sorting_analyzer_or_sorting": a.sorting, "window_ms": 20.0, "bin_ms": 2.0},
        check_bins_of_2_ms_over_20_ms,
    ),
    Case(
        "plot_crosscorrelograms",
        "bin_ms",
        lambda a: {"sorting_analyzer_or_sorting": a.sorting, "window_ms": 20.0, "bin_ms": 2.0},
        check_bins_of_2_ms_over_20_ms,
    ),
    Case(
        "plot_crosscorrelograms",
        "min_similarity_for_correlograms",
        {"min_similarity_for_correlograms": 1.01},
        check_only_autocorrelogram_pairs,
    ),
    Case("plot_crosscorrelograms", "hide_unit_selector", {"hide_unit_selector": True}, check_hidden_cross_selector),
    Case("plot_quality_metrics", "unit_ids", {"unit_ids": ["0", "4"]}, check_metric_units),
    Case(
        "plot_quality_metrics",
        "include_metrics",
        {"include_metrics": ["snr", "firing_rate"]},
        check_metric_keys({"snr", "firing_rate"}),
    ),
    Case(
        "plot_quality_metrics", "skip_metrics", {"skip_metrics": ["snr"]}, check_metric_keys({"firing_rate"}, {"snr"})
    ),
    Case("plot_quality_metrics", "hide_unit_selector", {"hide_unit_selector": True}, check_only("UnitMetricsGraph")),
    Case("plot_template_metrics", "hide_unit_selector", {"hide_unit_selector": True}, check_only("UnitMetricsGraph")),
    Case("plot_quality_metrics", "include_metrics_data", {"include_metrics_data": False}, check_table_without_metrics),
    Case("plot_sorting_summary", "unit_ids", {"unit_ids": ["0", "1", "2"]}, check_summary_units),
    Case("plot_sorting_summary", "sparsity", lambda a: {"sparsity": two_best_channels(a)}, check_two_channels_a_unit),
    Case("plot_sorting_summary", "max_amplitudes_per_unit", {"max_amplitudes_per_unit": 5}, check_at_most_5_amplitudes),
    Case(
        "plot_sorting_summary",
        "min_similarity_for_correlograms",
        {"min_similarity_for_correlograms": 1.01},
        check_summary_threshold_above_every_pair,
    ),
    Case(
        "plot_sorting_summary",
        "curation",
        {"curation": True, "label_choices": ["mua", "noise"]},
        check_curation_labels,
    ),
    Case(
        "plot_sorting_summary",
        "label_choices",
        {"curation": True, "label_choices": ["mua", "noise"]},
        check_curation_labels,
    ),
    Case("plot_sorting_summary", "curation_dict", first_unit_good, check_first_unit_good),
    Case(
        "plot_sorting_summary",
        "label_definitions",
        {"curation": True, "label_definitions": {"quality": {"label_options": ["good", "mua"], "exclusive": True}}},
        check_label_definitions,
    ),
    Case(
        "plot_sorting_summary",
        "displayed_unit_properties",
        {"displayed_unit_properties": ["snr"]},
        check_columns(["snr"]),
    ),
    Case(
        "plot_sorting_summary",
        "extra_unit_properties",
        lambda a: {"displayed_unit_properties": [], "extra_unit_properties": {"rank": np.arange(a.get_num_units())}},
        check_columns(["rank"]),
    ),
    Case(
        "plot_spike_locations",
        "unit_ids",
        {"unit_ids": ["3"], "plot_all_units": False},
        check_spike_location_units(["3"]),
    ),
    Case("plot_spike_locations", "plot_all_units", {"unit_ids": ["3"]}, check_all_spike_locations_from_3),
    Case(
        "plot_spike_locations",
        "segment_index",
        {"segment_index": 1, "max_spikes_per_unit": None},
        check_spike_locations_of_segment_1,
        "two_segments",
    ),
    Case("plot_spike_locations", "max_spikes_per_unit", {"max_spikes_per_unit": 5}, check_at_most_5_spike_locations),
    Case("plot_spike_locations", "hide_unit_selector", {"hide_unit_selector": True}, check_only("SpikeLocations")),
    Case("plot_template_similarity", "unit_ids", {"unit_ids": ["1", "2", "4"]}, check_similarity_units),
    Case(
        "plot_template_similarity", "display_diagonal_values", {"display_diagonal_values": True}, check_diagonal_shown
    ),
    Case("plot_unit_locations", "unit_ids", {"unit_ids": ["5"], "plot_all_units": False}, check_location_units(["5"])),
    Case(
        "plot_unit_locations", "plot_all_units", {"unit_ids": ["5"]}, check_location_units(all_units_starting_with("5"))
    ),
    Case("plot_unit_locations", "hide_unit_selector", {"hide_unit_selector": True}, check_only("UnitLocations")),
    Case(
        "plot_unit_templates",
        "channel_ids",
        lambda a: {"channel_ids": a.channel_ids[::3]},
        check_templates_on_every_third_channel,
    ),
    Case("plot_unit_templates", "unit_ids", {"unit_ids": ["6", "1"]}, check_template_units),
    Case("plot_unit_templates", "plot_waveforms", {"plot_waveforms": True}, check_percentiles(4)),
    Case("plot_unit_templates", "sparsity", lambda a: {"sparsity": two_best_channels(a)}, check_two_channels_a_unit),
    Case("plot_unit_templates", "shade_templates", {"shade_templates": False}, check_percentiles(None)),
    Case(
        "plot_unit_templates",
        "templates_percentile_shading",
        {"templates_percentile_shading": 10},
        check_percentiles(2),
    ),
    Case(
        "plot_unit_templates",
        "templates_percentile_shading",
        {"templates_percentile_shading": None},
        check_percentiles(2),
        id="std",
    ),
    Case("plot_unit_templates", "hide_unit_selector", {"hide_unit_selector": True}, check_only("AverageWaveforms")),
    Case("plot_unit_templates", "plot_legend", {"plot_legend": False}, check_percentiles(4)),
    Case("plot_rasters", "segment_indices", {"segment_indices": [0, 1]}, check_raster_two_segments, "two_segments"),
    Case(
        "plot_rasters",
        "unit_ids",
        lambda a: {"sorting_analyzer_or_sorting": a.sorting, "unit_ids": ["7", "0"]},
        check_raster_units,
    ),
    Case("plot_rasters", "time_range", {"time_range": [1.0, 2.0]}, check_raster_window),
    Case("plot_rasters", "hide_unit_selector", {"hide_unit_selector": False}, check_raster_with_table),
    Case("plot_rasters", "scatter_decimate", {"scatter_decimate": 2}, check_every_other_raster_spike),
    Case("plot_unit_summary", "unit_id", lambda a: {"unit_id": a.unit_ids[0]}, check_unit_summary_of_unit_0),
    Case(
        "plot_unit_summary",
        "sparsity",
        lambda a: {"unit_id": a.unit_ids[0], "sparsity": two_best_channels(a)},
        check_unit_summary_two_channels,
    ),
    Case(
        "plot_unit_summary",
        "subwidget_kwargs",
        lambda a: {
            "unit_id": a.unit_ids[0],
            "subwidget_kwargs": {"unit_locations": {"plot_all_units": True}, "amplitudes": {"max_spikes_per_unit": 3}},
        },
        check_unit_summary_parts,
    ),
    Case("plot_agreement_matrix", "ordered", {"ordered": True}, check_agreement_order(True)),
    Case("plot_agreement_matrix", "ordered", {"ordered": False}, check_agreement_order(False), id="unordered"),
    Case(
        "plot_traces",
        "channel_ids",
        {"channel_ids": ["1", "3"], "segment_index": 0},
        check_traces_channels,
        "two_segments",
    ),
]


def build(case: Case, analyzer, two_segments):
    source = analyzer if case.source == "analyzer" else two_segments[1]
    kwargs = case.kwargs(source) if callable(case.kwargs) else dict(case.kwargs)
    plot = getattr(si, case.widget)
    if case.widget in ("plot_confusion_matrix", "plot_agreement_matrix"):
        return plot(si.compare_sorter_to_ground_truth(source.sorting, source.sorting), **kwargs, **QUIET), source
    if case.widget == "plot_traces":
        return plot(two_segments[0], **kwargs, **QUIET), source
    if case.widget == "plot_unit_summary" or "sorting_analyzer_or_sorting" in kwargs:
        return plot(**kwargs, **QUIET) if "unit_id" not in kwargs else plot(source, **kwargs, **QUIET), source
    return plot(source, **kwargs, **QUIET), source


def test_every_honoured_argument_has_a_case():
    # plot_template_metrics shares plot_quality_metrics's arguments and builder
    honoured = {
        (name, a.name)
        for name, arguments in PARITY.items()
        if name != "plot_template_metrics"
        for a in arguments
        if a.status == HONOURED
    }
    assert honoured <= {(case.widget, case.argument) for case in CASES}


@pytest.mark.parametrize("case", CASES, ids=[f"{c.widget}-{c.argument}{'-' + c.id if c.id else ''}" for c in CASES])
def test_an_honoured_argument_shows_in_the_figure(analyzer, two_segments, case):
    widget, source = build(case, analyzer, two_segments)
    case.check(figure_leaves(widget.view), source)
