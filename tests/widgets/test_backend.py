"""The sortingview backend from a SpikeInterface user's side: every widget, its stored figure, its kwargs."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
import spikeinterface.full as si
from spikeinterface.widgets import base

import spikeinterface_sortingview as sv
from spikeinterface_sortingview.store import default_store
from spikeinterface_sortingview.views import from_json_value
from spikeinterface_sortingview.widgets.common import plain_unit_id
from tests.spec_checker import check_figure

ANALYZER_WIDGETS = {
    "plot_amplitudes": ["UnitsTable", "SpikeAmplitudes"],
    "plot_autocorrelograms": ["Autocorrelograms"],
    "plot_crosscorrelograms": ["CrossCorrelograms"],
    "plot_quality_metrics": ["UnitsTable", "UnitMetricsGraph"],
    "plot_template_metrics": ["UnitsTable", "UnitMetricsGraph"],
    "plot_spike_locations": ["UnitsTable", "SpikeLocations"],
    "plot_template_similarity": ["UnitSimilarityMatrix"],
    "plot_unit_locations": ["UnitsTable", "UnitLocations"],
    "plot_unit_templates": ["UnitsTable", "AverageWaveforms"],
    "plot_rasters": ["RasterPlot"],
    "plot_sorting_summary": ["UnitsTable", "AverageWaveforms", "UnitLocations", "SpikeAmplitudes", "CrossCorrelograms"],
}


def stored_leaves(url: str) -> dict[str, dict]:
    """Check the figure a figURL names against docs/figure-format.md (tests/spec_checker.py) and return its leaf views."""
    document_uri = url.split("&d=")[1].split("&")[0]
    return check_figure(default_store(), document_uri)


def leaf_types(leaves: dict) -> list[str]:
    return [v["type"] for v in leaves.values()]


@pytest.mark.parametrize("name", sorted(ANALYZER_WIDGETS))
def test_every_analyzer_widget_stores_a_figure_that_meets_the_spec(analyzer, name, capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)  # the upstream stubs warn; ours must not
        widget = getattr(si, name)(analyzer, backend="sortingview")
    assert widget.url.startswith("http://127.0.0.1:8931/f?v=http://127.0.0.1:8931/viewer&d=sha1://")
    assert widget.url in capsys.readouterr().out
    assert leaf_types(stored_leaves(widget.url)) == ANALYZER_WIDGETS[name]


@pytest.mark.parametrize(
    ("name", "view_type"),
    [
        ("plot_amplitudes", "SpikeAmplitudes"),
        ("plot_unit_locations", "UnitLocations"),
        ("plot_spike_locations", "SpikeLocations"),
        ("plot_unit_templates", "AverageWaveforms"),
    ],
)
def test_plots_of_many_units_come_with_a_units_table_to_pick_them_unless_hidden(analyzer, name, view_type):
    leaves = stored_leaves(getattr(si, name)(analyzer, backend="sortingview", display=False).url)
    table = next(v for v in leaves.values() if v["type"] == "UnitsTable")
    assert [row["unitId"] for row in table["rows"]] == [str(u) for u in analyzer.unit_ids]
    hidden = stored_leaves(
        getattr(si, name)(analyzer, backend="sortingview", display=False, hide_unit_selector=True).url
    )
    assert leaf_types(hidden) == [view_type]


def test_template_similarity_leaves_out_the_diagonal_spikeinterface_blanks(analyzer):
    def diagonal(url: str) -> list[float]:
        (view,) = stored_leaves(url).values()
        return [s["similarity"] for s in view["similarityScores"] if s["unitId1"] == s["unitId2"]]

    # SpikeInterface writes zeros there by default (display_diagonal_values=False): not a similarity of 0
    assert diagonal(si.plot_template_similarity(analyzer, backend="sortingview", display=False).url) == []
    shown = si.plot_template_similarity(analyzer, backend="sortingview", display=False, display_diagonal_values=True)
    assert diagonal(shown.url) == pytest.approx([1.0] * len(analyzer.unit_ids), abs=1e-3)


def test_widgets_without_an_upstream_sortingview_method(analyzer, capsys):
    probe = si.plot_probe_map(analyzer.recording, backend="sortingview")
    assert leaf_types(stored_leaves(probe.url)) == ["ElectrodeGeometry"]
    unit = si.plot_unit_summary(analyzer, unit_id=analyzer.unit_ids[2], backend="sortingview")
    leaves = stored_leaves(unit.url)
    assert leaf_types(leaves) == [
        "Markdown",
        "AverageWaveforms",
        "Autocorrelograms",
        "SpikeAmplitudes",
        "UnitLocations",
    ]
    assert {item["unitId"] for v in leaves.values() for item in v.get("averageWaveforms", [])} == {
        str(analyzer.unit_ids[2])
    }
    comparison = si.compare_sorter_to_ground_truth(analyzer.sorting, analyzer.sorting)
    (confusion,) = stored_leaves(si.plot_confusion_matrix(comparison, backend="sortingview").url).values()
    (agreement,) = stored_leaves(si.plot_agreement_matrix(comparison, backend="sortingview").url).values()
    assert (confusion["type"], agreement["type"]) == ("ConfusionMatrix", "AgreementMatrix")


def test_traces_are_read_live_from_a_shared_recording(analyzer, tmp_path):
    recording = analyzer.recording.save(folder=tmp_path / "rec", format="binary", verbose=False)
    widget = si.plot_traces(recording, backend="sortingview", display=False)
    (view,) = stored_leaves(widget.url).values()
    assert view["format"] == "spikeinterface-sortingview/recording"
    shared = sv.load_recording(view["uri"])
    np.testing.assert_array_equal(shared.get_traces(end_frame=1000), recording.get_traces(end_frame=1000))


def test_values_match_the_analyzer(analyzer):
    widget = si.plot_autocorrelograms(analyzer, backend="sortingview", display=False)
    (view,) = stored_leaves(widget.url).values()
    ccgs, bins_ms = analyzer.get_extension("correlograms").get_data()
    item = from_json_value(view["autocorrelograms"][3])
    np.testing.assert_array_equal(item["binCounts"], ccgs[3, 3])
    np.testing.assert_allclose(item["binEdgesSec"], bins_ms / 1000, rtol=1e-6)
    assert item["unitId"] == analyzer.unit_ids[3]

    widget = si.plot_amplitudes(analyzer, backend="sortingview", display=False, hide_unit_selector=True)
    (view,) = stored_leaves(widget.url).values()
    unit = from_json_value(view["units"][0])
    expected = analyzer.sorting.get_unit_spike_train(analyzer.unit_ids[0], segment_index=0, return_times=True)
    np.testing.assert_allclose(unit["spikeTimesSec"], expected, rtol=1e-6)
    assert unit["spikeTimesSec"].max() <= view["endTimeSec"] <= analyzer.get_total_duration()

    widget = si.plot_unit_templates(analyzer, backend="sortingview", display=False, hide_unit_selector=True)
    (view,) = stored_leaves(widget.url).values()
    templates = analyzer.get_extension("templates").get_templates()
    item = from_json_value(view["averageWaveforms"][1])
    channel_indices = analyzer.sparsity.unit_id_to_channel_indices[analyzer.unit_ids[1]]
    # display values keep 12 significant bits
    np.testing.assert_allclose(item["waveform"], templates[1][:, channel_indices].T, rtol=2**-12, atol=1e-6)
    assert len(item["waveformPercentiles"]) == 4


def test_sorting_summary_reads_the_analyzer_and_shares_the_sorting(analyzer):
    widget = si.plot_sorting_summary(analyzer, backend="sortingview", display=False, max_amplitudes_per_unit=50)
    leaves = {v["type"]: v for v in stored_leaves(widget.url).values()}
    amplitudes = analyzer.get_extension("spike_amplitudes").get_data()
    spikes = analyzer.sorting.to_spike_vector()
    unit = from_json_value(leaves["SpikeAmplitudes"]["units"][2])
    assert len(unit["spikeTimesSec"]) == 50 and np.all(np.diff(unit["spikeTimesSec"]) >= 0)
    # every kept spike is a real spike of that unit, with its amplitude
    mine = spikes["unit_index"] == 2
    by_time = dict(
        zip(np.round(spikes["sample_index"][mine] / analyzer.sampling_frequency, 4), amplitudes[mine], strict=True)
    )
    for t, a in zip(unit["spikeTimesSec"], unit["spikeAmplitudes"], strict=True):
        assert a == pytest.approx(by_time[round(float(t), 4)], rel=2**-12)
    # the shared sorting is named by the views that can use it, and it loads back
    sorting_uri = leaves["CrossCorrelograms"]["sortingUri"]
    assert leaves["AverageWaveforms"]["sortingUri"] == sorting_uri
    assert list(sv.load_sorting(sorting_uri).unit_ids) == list(analyzer.unit_ids)
    # each pair once: (a, b) or (b, a)
    pairs = [(c["unitId1"], c["unitId2"]) for c in leaves["CrossCorrelograms"]["crossCorrelograms"]]
    assert len(pairs) == len({frozenset(p) for p in pairs})
    # std shading from the templates extension
    waveform = from_json_value(leaves["AverageWaveforms"]["averageWaveforms"][0])
    assert waveform["waveformStdDev"].shape == waveform["waveform"].shape


def test_same_figure_gives_same_uri(analyzer):
    first = si.plot_sorting_summary(analyzer, backend="sortingview", display=False, figlabel="x").url
    second = si.plot_sorting_summary(analyzer, backend="sortingview", display=False, figlabel="x").url
    assert first == second


def test_sorting_summary_with_curation(analyzer):
    widget = si.plot_sorting_summary(
        analyzer,
        backend="sortingview",
        curation=True,
        label_choices=["good", "bad"],
        figlabel="my sorting",
        display=False,
    )
    assert widget.url.endswith("&label=my%20sorting")
    leaves = stored_leaves(widget.url)
    (curation,) = [v for v in leaves.values() if v["type"] == "SortingCuration2"]
    assert curation["labelChoices"] == ["good", "bad"]
    (table,) = [v for v in leaves.values() if v["type"] == "UnitsTable"]
    assert len(table["rows"]) == analyzer.get_num_units()
    assert {"firing_rate", "snr", "x", "y"} <= {c["key"] for c in table["columns"]}


def test_sorting_summary_starts_from_a_curation_dict_or_label_definitions(analyzer):
    units = [u.item() for u in analyzer.unit_ids]
    given = {
        "format_version": "2",
        "unit_ids": units,
        "label_definitions": {"quality": {"label_options": ["good", "noise"], "exclusive": True}},
        "manual_labels": [{"unit_id": units[0], "labels": {"quality": ["good"]}}],
        "merges": [{"unit_ids": [units[1], units[2]]}],
        "removed": [units[3]],
    }
    widget = si.plot_sorting_summary(analyzer, backend="sortingview", curation=True, curation_dict=given, display=False)
    (view,) = [v for v in stored_leaves(widget.url).values() if v["type"] == "SortingCuration2"]
    start = view["curation"]
    assert start["labelsByUnit"] == {str(units[0]): ["good"]}
    assert start["mergeGroups"] == [[units[1], units[2]]] and start["removedUnits"] == [units[3]]
    assert start["labelDefinitions"]["quality"]["exclusive"] is True

    definitions = {"quality": {"label_options": ["good", "mua"], "exclusive": True}}
    widget = si.plot_sorting_summary(
        analyzer, backend="sortingview", curation=True, label_definitions=definitions, display=False
    )
    (view,) = [v for v in stored_leaves(widget.url).values() if v["type"] == "SortingCuration2"]
    assert view["curation"]["labelChoices"] == ["good", "mua"]

    with pytest.raises(ValueError, match="not in the unit list"):
        si.plot_sorting_summary(
            analyzer, backend="sortingview", curation=True, display=False, curation_dict={**given, "removed": ["nope"]}
        )


def test_units_table_shows_sorting_properties_and_extra_properties(analyzer):
    rank = np.arange(analyzer.get_num_units())
    widget = si.plot_sorting_summary(
        analyzer,
        backend="sortingview",
        display=False,
        displayed_unit_properties=["firing_rate", "quality"],
        extra_unit_properties={"rank": rank},
    )
    (table,) = [v for v in stored_leaves(widget.url).values() if v["type"] == "UnitsTable"]
    assert table["columns"] == [
        {"key": "firing_rate", "label": "firing_rate", "dtype": "float"},
        {"key": "quality", "label": "quality", "dtype": "str"},
        {"key": "rank", "label": "rank", "dtype": "int"},
    ]
    assert [row["values"]["quality"] for row in table["rows"]] == ["good"] * 4 + ["mua"] * 4
    assert [row["values"]["rank"] for row in table["rows"]] == list(rank)


def test_unknown_backend_kwargs_are_rejected_as_upstream(analyzer):
    with pytest.raises(Exception, match="figure is not a valid plot argument"):
        si.plot_autocorrelograms(analyzer, backend="sortingview", figure=None)


def test_missing_unit_property_warns(analyzer):
    with pytest.warns(UserWarning, match="not in the sorting"):
        si.plot_sorting_summary(
            analyzer, backend="sortingview", display=False, displayed_unit_properties=["firing_rate", "no_such_thing"]
        )


def test_more_than_four_template_shadings_is_an_assertion_error(analyzer):
    with pytest.raises(AssertionError, match="at most 4"):
        si.plot_unit_templates(analyzer, backend="sortingview", templates_percentile_shading=[1, 5, 25, 75, 95, 99])


def test_display_false_builds_without_printing_and_generate_url_false_stores_nothing(analyzer, capsys):
    widget = si.plot_unit_locations(analyzer, backend="sortingview", display=False)
    assert widget.url is not None and capsys.readouterr().out == ""
    widget = si.plot_unit_locations(analyzer, backend="sortingview", generate_url=False)
    assert widget.url is None and widget.view.type == "Box"
    store_dir = default_store().directory
    before = sorted(store_dir.rglob("*"))
    si.plot_unit_locations(analyzer, backend="sortingview", generate_url=False, display=False)
    assert sorted(store_dir.rglob("*")) == before


def test_registration_is_idempotent_and_reversible(analyzer):
    assert "sortingview" in si.AutoCorrelogramsWidget.get_possible_backends()
    sv.register()
    assert sv.backend.is_registered()
    sv.unregister()
    try:
        # SpikeInterface's own deprecated stub is back, and so are its kwargs
        assert si.AutoCorrelogramsWidget.plot_sortingview is not sv.backend.plot_sortingview
        assert "sortingview" not in si.RasterWidget.get_possible_backends()
        assert base.default_backend_kwargs["sortingview"] == {
            "generate_url": True,
            "display": True,
            "figlabel": None,
            "height": None,
        }
    finally:
        sv.register()
    assert sv.backend.is_registered()
    assert "sortingview" in si.RasterWidget.get_possible_backends()


def test_figure_url_carries_url_encoded_state():
    figure = sv.Figure(sv.views.Markdown("hi"))
    url = figure.url(label="a&b", state={"sortingCuration": "sha1://" + "a" * 40})
    assert "&label=a%26b" in url
    state = url.split("&s=")[1]
    from urllib.parse import unquote

    assert json.loads(unquote(state)) == {"sortingCuration": "sha1://" + "a" * 40}


def test_sorting_summary_of_some_units_of_two_segments():
    """The summary reads segment 0's spikes from a slice of the spike vector, and a subset of units' correlograms."""
    recording, sorting = si.generate_ground_truth_recording(
        durations=[3.0, 2.0], num_units=4, num_channels=4, seed=5, sampling_frequency=10000.0
    )
    analyzer = si.create_sorting_analyzer(sorting, recording, sparse=False)
    analyzer.compute(
        ["random_spikes", "templates", "spike_amplitudes", "unit_locations", "correlograms", "template_similarity"],
        verbose=False,
    )
    shown = [analyzer.unit_ids[3], analyzer.unit_ids[1]]
    widget = si.plot_sorting_summary(
        analyzer, unit_ids=shown, backend="sortingview", display=False, min_similarity_for_correlograms=-1.0
    )
    leaves = {v["type"]: v for v in stored_leaves(widget.url).values()}
    spikes = analyzer.sorting.to_spike_vector()
    amplitudes = analyzer.get_extension("spike_amplitudes").get_data()
    first = from_json_value(leaves["SpikeAmplitudes"]["units"][0])
    mine = (spikes["unit_index"] == 3) & (spikes["segment_index"] == 0)
    np.testing.assert_allclose(first["spikeTimesSec"], spikes["sample_index"][mine] / 10000.0, rtol=1e-6)
    np.testing.assert_allclose(first["spikeAmplitudes"], amplitudes[mine], rtol=2**-12)
    ccgs, _ = analyzer.get_extension("correlograms").get_data()
    pairs = {
        (c["unitId1"], c["unitId2"]): from_json_value(c["binCounts"])
        for c in leaves["CrossCorrelograms"]["crossCorrelograms"]
    }
    a, b = (plain_unit_id(u) for u in shown)
    assert set(pairs) == {(a, a), (a, b), (b, b)}
    np.testing.assert_array_equal(pairs[(a, b)], ccgs[3, 1])
    np.testing.assert_array_equal(pairs[(b, b)], ccgs[1, 1])
