"""The parity table (widgets/parity.py): complete against SpikeInterface's signatures, in the README, and every
refused argument refused with a message naming it."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import numpy as np
import pytest
import spikeinterface.full as si
from spikeinterface.widgets.crosscorrelograms import CrossCorrelogramsWidget
from spikeinterface.widgets.unit_waveforms import UnitWaveformsWidget

from spikeinterface_sortingview.widgets.arguments import PAGE, REFUSED, UnsupportedArgumentError
from spikeinterface_sortingview.widgets.parity import PARITY

README = Path(__file__).parents[2] / "README.md"

# The class whose signature lists each widget's arguments (some widgets take *args and pass them on).
SIGNATURES = {name: getattr(si, name) for name in PARITY}
SIGNATURES["plot_autocorrelograms"] = CrossCorrelogramsWidget
SIGNATURES["plot_unit_templates"] = UnitWaveformsWidget

# Arguments a widget passes on to its base class through **kwargs: SpikeInterface accepts them too.
RASTER_BASE = ["color_kwargs", "plot_legend", "title", "segment_boundary_kwargs"]
PASSED_ON = {
    "plot_amplitudes": ["x_lim", "sort_by_depth", "depth_dict", "y_ticks", *RASTER_BASE],  # plot_legend is its own
    "plot_rasters": ["hide_unit_selector", "scatter_decimate", "bins", "y_lim", *RASTER_BASE],
    "plot_quality_metrics": ["include_metrics_data"],
    "plot_template_metrics": ["include_metrics_data"],
    "plot_probe_map": ["plot_probe_kwargs"],  # every other keyword goes to probeinterface's plot_probe
}
NOT_ARGUMENTS = {"self", "backend", "backend_kwargs", "backend_or_plot_probe_kwargs"}


def signature_arguments(name: str) -> set[str]:
    """The keyword arguments of the widget, after the data it takes (analyzer, sorting, recording, comparison)."""
    parameters = list(inspect.signature(SIGNATURES[name].__init__).parameters)[2:]
    return {p for p in parameters if p not in NOT_ARGUMENTS}


@pytest.mark.parametrize("name", sorted(PARITY))
def test_the_table_lists_every_argument_spikeinterface_accepts_once(name):
    listed = [argument.name for argument in PARITY[name]]
    assert len(listed) == len(set(listed))
    # plot_traces lists its first argument too: several recordings are refused
    expected = (
        signature_arguments(name) | set(PASSED_ON.get(name, [])) | ({"recording"} if name == "plot_traces" else set())
    )
    assert set(listed) == expected


def readme_parity_rows() -> dict[tuple[str, str], str]:
    """``{(widget, argument): status}`` from the README's parity table."""
    rows = {}
    for line in README.read_text().splitlines():
        match = re.match(r"\| `(plot_\w+)` \| `(\w+)` \| ([^|]+?) \|", line)
        if match:
            rows[(match[1], match[2])] = match[3].strip()
    return rows


def test_the_readme_shows_the_same_table():
    expected = {(name, a.name): a.status for name, arguments in PARITY.items() for a in arguments}
    assert readme_parity_rows() == expected


def red(analyzer) -> dict:
    return {unit_id: "red" for unit_id in analyzer.unit_ids}


# A value other than SpikeInterface's default for every refused argument (a callable gets the analyzer).
REFUSED_VALUES = {
    ("plot_amplitudes", "unit_colors"): red,
    ("plot_amplitudes", "y_lim"): (0, 100),
    ("plot_amplitudes", "plot_histograms"): True,
    ("plot_amplitudes", "bins"): 10,
    ("plot_amplitudes", "plot_legend"): False,
    ("plot_amplitudes", "sort_by_depth"): True,
    ("plot_amplitudes", "depth_dict"): lambda a: {u: i for i, u in enumerate(a.unit_ids)},
    ("plot_amplitudes", "y_ticks"): {"ticks": [0]},
    ("plot_amplitudes", "title"): "amplitudes",
    ("plot_amplitudes", "color_kwargs"): {"c": "red"},
    ("plot_amplitudes", "segment_boundary_kwargs"): {"color": "red"},
    ("plot_autocorrelograms", "unit_colors"): red,
    ("plot_crosscorrelograms", "unit_colors"): red,
    ("plot_quality_metrics", "unit_colors"): red,
    ("plot_template_metrics", "unit_colors"): red,
    ("plot_spike_locations", "with_channel_ids"): True,
    ("plot_spike_locations", "unit_colors"): red,
    ("plot_spike_locations", "plot_legend"): True,
    ("plot_spike_locations", "hide_axis"): True,
    ("plot_template_similarity", "cmap"): "magma",
    ("plot_template_similarity", "show_colorbar"): False,
    ("plot_unit_locations", "with_channel_ids"): True,
    ("plot_unit_locations", "unit_colors"): red,
    ("plot_unit_locations", "plot_legend"): True,
    ("plot_unit_locations", "hide_axis"): True,
    ("plot_unit_locations", "margin"): 10,
    ("plot_unit_templates", "plot_templates"): False,
    ("plot_unit_templates", "unit_colors"): red,
    ("plot_unit_templates", "ncols"): 2,
    ("plot_unit_templates", "scale"): 2,
    ("plot_unit_templates", "abs_y_scale"): 3.0,
    ("plot_unit_templates", "widen_narrow_scale"): 2,
    ("plot_unit_templates", "lw_waveforms"): 3,
    ("plot_unit_templates", "lw_templates"): 1,
    ("plot_unit_templates", "axis_equal"): True,
    ("plot_unit_templates", "unit_selected_waveforms"): lambda a: {u: [0] for u in a.unit_ids},
    ("plot_unit_templates", "max_spikes_per_unit"): 10,
    ("plot_unit_templates", "same_axis"): True,
    ("plot_unit_templates", "scalebar"): True,
    ("plot_unit_templates", "x_offset_units"): True,
    ("plot_unit_templates", "alpha_waveforms"): 0.2,
    ("plot_unit_templates", "alpha_templates"): 0.5,
    ("plot_rasters", "color"): "red",
    ("plot_rasters", "sort_by_depth"): True,
    ("plot_rasters", "bins"): 5,
    ("plot_rasters", "plot_legend"): True,
    ("plot_rasters", "y_lim"): (0, 3),
    ("plot_rasters", "title"): "rasters",
    ("plot_rasters", "color_kwargs"): {"c": "red"},
    ("plot_rasters", "segment_boundary_kwargs"): {"color": "red"},
    ("plot_unit_summary", "unit_colors"): red,
    ("plot_probe_map", "color_channels"): "red",
    ("plot_probe_map", "plot_probe_kwargs"): None,  # any other keyword: see test below
    ("plot_confusion_matrix", "count_text"): False,
    ("plot_confusion_matrix", "unit_ticks"): False,
    ("plot_agreement_matrix", "count_text"): False,
    ("plot_agreement_matrix", "unit_ticks"): False,
    ("plot_traces", "recording"): None,  # several layers: see below
    ("plot_traces", "segment_index"): 1,
    ("plot_traces", "time_range"): (0.5, 1.0),
    ("plot_traces", "cmap"): "viridis",
    ("plot_traces", "show_channel_ids"): True,
    ("plot_traces", "events"): [np.array([0.5]), np.array([0.2])],  # one array per segment
    ("plot_traces", "events_color"): "red",
    ("plot_traces", "events_alpha"): 0.1,
    ("plot_traces", "color_groups"): True,
    ("plot_traces", "color"): "red",
    ("plot_traces", "clim"): (-50, 50),
    ("plot_traces", "tile_size"): 100,
    ("plot_traces", "seconds_per_row"): 1.0,
    ("plot_traces", "scale"): 2,
    ("plot_traces", "vspacing_factor"): 3.0,
    ("plot_traces", "add_legend"): False,
}

QUIET = dict(backend="sortingview", generate_url=False, display=False)


def plot(name: str, analyzer, two_segments, **kwargs):
    """Call widget ``name`` on the data it takes, building the figure without storing it."""
    if name == "plot_probe_map":
        return si.plot_probe_map(analyzer.recording, **kwargs, **QUIET)
    if name in ("plot_confusion_matrix", "plot_agreement_matrix"):
        comparison = si.compare_sorter_to_ground_truth(analyzer.sorting, analyzer.sorting)
        return getattr(si, name)(comparison, **kwargs, **QUIET)
    if name == "plot_traces":
        recording = two_segments[0]
        return si.plot_traces(recording, **{"segment_index": 0, **kwargs}, **QUIET)
    if name == "plot_unit_summary":
        return si.plot_unit_summary(analyzer, unit_id=analyzer.unit_ids[0], **kwargs, **QUIET)
    return getattr(si, name)(analyzer, **kwargs, **QUIET)


def test_every_refused_argument_has_a_case():
    refused = {(name, a.name) for name, arguments in PARITY.items() for a in arguments if a.status == REFUSED}
    assert refused == set(REFUSED_VALUES)


@pytest.mark.parametrize(("name", "argument"), sorted(k for k, v in REFUSED_VALUES.items() if v is not None))
def test_a_refused_argument_raises_naming_it_and_what_to_use_instead(analyzer, two_segments, name, argument):
    value = REFUSED_VALUES[(name, argument)]
    value = value(analyzer) if callable(value) else value
    with pytest.raises(
        UnsupportedArgumentError, match=rf"{name}\b.*: the sortingview backend does not support {argument}=\.\.\.; \w"
    ):
        plot(name, analyzer, two_segments, **{argument: value})


def test_other_probe_map_keywords_and_several_trace_layers_are_refused(analyzer, two_segments):
    with pytest.raises(UnsupportedArgumentError, match="plot_probe_kwargs"):
        plot("plot_probe_map", analyzer, two_segments, contacts_colors="red")
    recording = two_segments[0]
    with pytest.raises(UnsupportedArgumentError, match="recording=.*make a figure per recording"):
        si.plot_traces({"raw": recording, "again": recording}, segment_index=0, **QUIET)


def test_default_values_passed_explicitly_are_accepted(analyzer, two_segments):
    plot("plot_unit_templates", analyzer, two_segments, scale=1, ncols=5, unit_colors=si.get_unit_colors(analyzer))
    plot("plot_unit_locations", analyzer, two_segments, margin=50, plot_legend=False)
    plot("plot_traces", analyzer, two_segments, time_range=(0, 1), scale=1, vspacing_factor=1.5)
    plot("plot_rasters", analyzer, two_segments, color="k")


def test_unit_summary_refuses_a_density_map_and_passes_refusals_of_its_parts_on(analyzer, two_segments):
    with pytest.raises(UnsupportedArgumentError, match="unit_waveform_density_map"):
        plot("plot_unit_summary", analyzer, two_segments, subwidget_kwargs={"unit_waveform_density_map": {}})
    with pytest.raises(UnsupportedArgumentError, match="plot_unit_templates: .* scale="):
        plot("plot_unit_summary", analyzer, two_segments, subwidget_kwargs={"unit_waveforms": {"scale": 2}})


def test_page_arguments_are_accepted_whatever_their_value(analyzer, two_segments):
    values = {
        ("plot_unit_templates", "plot_channels"): True,
        ("plot_unit_templates", "set_title"): False,
        ("plot_template_similarity", "show_unit_ticks"): True,
        ("plot_probe_map", "with_channel_ids"): True,
        ("plot_traces", "order_channel_by_depth"): True,
        ("plot_traces", "mode"): "map",
        ("plot_traces", "return_in_uV"): True,
        ("plot_traces", "with_colorbar"): False,
    }
    page = {(name, a.name) for name, arguments in PARITY.items() for a in arguments if a.status == PAGE}
    assert page == set(values)
    for (name, argument), value in values.items():
        assert plot(name, analyzer, two_segments, **{argument: value}).view is not None
