"""The parity table: every keyword argument of the SpikeInterface 0.105 widgets we draw, and what we do with it.

Matched against SpikeInterface's matplotlib backend. The README's widget section shows the same table
(``tests/widgets/test_parity.py`` checks that the two agree and that every argument of each widget's signature
is listed here).
"""

from __future__ import annotations

import numpy as np

from .arguments import (
    HONOURED,
    MATPLOTLIB,
    PAGE,
    REFUSED,
    Argument,
    check_arguments,
    colours_given,
    differs,
    refused,
)
from .parity_traces import TRACES

UNIT_COLORS = Argument(
    "unit_colors",
    REFUSED,
    "the page gives each unit one colour, the same in every view of the figure; leave unit_colors out, " + MATPLOTLIB,
    colours_given(),
)
UNIT_COLORS_NONE = Argument("unit_colors", REFUSED, UNIT_COLORS.note, differs("unit_colors", None))
UNIT_IDS = Argument("unit_ids", HONOURED, "only these units, in this order")
SELECTOR = Argument(
    "hide_unit_selector", HONOURED, "False: a units table beside the plot picks the units it highlights; True: none"
)
NO_LEGEND = "the page draws no legend: the units table beside the plot names the units"


# Arguments BaseRasterWidget takes that plot_amplitudes and plot_rasters pass on to it.
RASTER_PASSED_ON = (
    Argument(
        "x_lim",
        HONOURED,
        "the time range shown (seconds, the segments laid end to end): only spikes inside it are kept",
    ),
    refused("title", "title", None, "name the figure with figlabel='...' instead"),
    refused("color_kwargs", "color_kwargs", None, "the page colours spikes by unit; " + MATPLOTLIB),
    refused(
        "segment_boundary_kwargs",
        "segment_boundary_kwargs",
        {"color": "gray", "linestyle": "--", "alpha": 0.7},
        "the page draws no segment boundary lines; " + MATPLOTLIB,
    ),
)

AMPLITUDES = (
    UNIT_IDS,
    UNIT_COLORS_NONE,
    Argument(
        "segment_indices",
        HONOURED,
        "one segment: its spikes. Several: SpikeInterface itself keeps the first for this backend, with a warning "
        "(make one figure per segment)",
    ),
    Argument("max_spikes_per_unit", HONOURED, "a random subset of that many spikes per unit (drawn by SpikeInterface)"),
    refused("y_lim", "y_lim", None, "the page fits the amplitude axis to the spikes; zoom there, " + MATPLOTLIB),
    Argument("scatter_decimate", HONOURED, "every n-th spike of each unit is kept"),
    SELECTOR,
    refused("plot_histograms", "plot_histograms", False, "the page draws no amplitude histogram; " + MATPLOTLIB),
    refused("bins", "bins", None, "bins only shape the histogram, which the page does not draw; " + MATPLOTLIB),
    refused("plot_legend", "plot_legend", True, NO_LEGEND + " (hide_unit_selector=True removes it)"),
    refused("sort_by_depth", "sort_by_depth", False, "the page orders units as the whole figure does; " + MATPLOTLIB),
    refused("depth_dict", "depth_dict", None, "the page orders units as the whole figure does; " + MATPLOTLIB),
    refused("y_ticks", "y_ticks", False, "the page labels its own axes; " + MATPLOTLIB),
    *RASTER_PASSED_ON,
)

RASTERS = (
    Argument("segment_indices", HONOURED, "the spikes of these segments, laid end to end as matplotlib does"),
    UNIT_IDS,
    Argument("time_range", HONOURED, "the time range shown (seconds): only spikes inside it are kept"),
    Argument(
        "color",
        REFUSED,
        "the page colours each unit's spikes with the unit's colour; leave color out, " + MATPLOTLIB,
        lambda dp: any(
            not isinstance(c, str) or c not in ("k", "black") for c in (dp.get("unit_colors") or {}).values()
        ),
    ),
    refused(
        "sort_by_depth",
        "sort_by_depth",
        False,
        "the page orders units as the whole figure does (the units table's order); " + MATPLOTLIB,
    ),
    Argument(
        "hide_unit_selector",
        HONOURED,
        "True (the default of rasters): the plot alone; False: a units table beside it picks the units",
    ),
    Argument("scatter_decimate", HONOURED, "every n-th spike of each unit is kept"),
    refused("bins", "bins", None, "rasters have no histogram; " + MATPLOTLIB),
    refused("plot_legend", "plot_legend", False, NO_LEGEND + " (pass hide_unit_selector=False for one)"),
    refused("y_lim", "y_lim", None, "the page shows every unit's row; pick units with unit_ids=[...]"),
    *RASTER_PASSED_ON[1:],  # x_lim is time_range here: passing both is a TypeError in SpikeInterface
)

CORRELOGRAM_COMMON = (
    UNIT_IDS,
    Argument(
        "window_ms",
        HONOURED,
        "used when a sorting is given (SpikeInterface computes the correlograms); an analyzer's computed "
        "correlograms are shown as they are, as in SpikeInterface",
    ),
    Argument("bin_ms", HONOURED, "as window_ms"),
    UNIT_COLORS_NONE,
)

AUTOCORRELOGRAMS = (
    *CORRELOGRAM_COMMON,
    Argument("min_similarity_for_correlograms", HONOURED, "no meaning for autocorrelograms: SpikeInterface drops it"),
    Argument(
        "hide_unit_selector",
        HONOURED,
        "the view has no unit selector either way (as SpikeInterface's sortingview backend); click a unit to select it",
    ),
)

CROSSCORRELOGRAMS = (
    *CORRELOGRAM_COMMON,
    Argument(
        "min_similarity_for_correlograms",
        HONOURED,
        "as SpikeInterface's sortingview backend: with an analyzer, the cross pairs less alike are left out of the "
        "figure (a page with a computing runner computes them when asked)",
    ),
    Argument("hide_unit_selector", HONOURED, "False: the view's own unit selector picks the pairs shown; True: none"),
)

METRICS = (
    Argument(
        "unit_ids",
        HONOURED,
        "only these units, in the table and the graphs (matplotlib draws the others in grey; here they are left out)",
    ),
    Argument("include_metrics", HONOURED, "only these metrics, as columns and graphs"),
    Argument("skip_metrics", HONOURED, "these metrics are left out"),
    UNIT_COLORS,
    Argument("hide_unit_selector", HONOURED, "False: the units table beside the graphs; True: the graphs alone"),
    Argument(
        "include_metrics_data",
        HONOURED,
        "True: the units table has a column per metric; False: it lists the units only",
    ),
)

TEMPLATES = (
    Argument(
        "channel_ids",
        HONOURED,
        "every unit's template on these channels (channels outside a unit's sparsity are drawn flat, as in "
        "SpikeInterface)",
    ),
    UNIT_IDS,
    Argument(
        "plot_waveforms",
        HONOURED,
        "plot_unit_templates draws no single waveforms: SpikeInterface sets it to False itself",
    ),
    refused(
        "plot_templates",
        "plot_templates",
        True,
        "the templates are what the page draws; use plot_unit_waveforms with backend='matplotlib' to draw waveforms only",
    ),
    Argument(
        "plot_channels",
        PAGE,
        "the page always draws the probe's contacts beside the templates (showReferenceProbe)",
    ),
    UNIT_COLORS,
    Argument(
        "sparsity",
        HONOURED,
        "each unit's template on the channels of this sparsity, as matplotlib (SpikeInterface warns when it "
        "reaches beyond the analyzer's)",
    ),
    refused("ncols", "ncols", 5, "the page lays templates out on the probe, not in a grid; " + MATPLOTLIB),
    refused("scale", "scale", 1, "rescale in the page with its amp ↑/↓ buttons; " + MATPLOTLIB),
    refused("abs_y_scale", "abs_y_scale", None, "rescale in the page with its amp ↑/↓ buttons; " + MATPLOTLIB),
    refused("widen_narrow_scale", "widen_narrow_scale", 1, "the page sizes templates to the panel; " + MATPLOTLIB),
    refused("lw_waveforms", "lw_waveforms", 1, "plot_unit_templates draws no waveforms (neither does matplotlib's)"),
    refused("lw_templates", "lw_templates", 2, "the page chooses its line widths; " + MATPLOTLIB),
    refused("axis_equal", "axis_equal", False, "the page keeps the probe's proportions; " + MATPLOTLIB),
    refused(
        "unit_selected_waveforms",
        "unit_selected_waveforms",
        None,
        "plot_unit_templates draws no waveforms (neither does matplotlib's); use plot_unit_waveforms with "
        "backend='matplotlib'",
    ),
    refused(
        "max_spikes_per_unit",
        "max_spikes_per_unit",
        50,
        "plot_unit_templates draws no waveforms (neither does matplotlib's); use plot_unit_waveforms with "
        "backend='matplotlib'",
    ),
    Argument("set_title", PAGE, "the page names each template by its unit (hover, units table)"),
    refused(
        "same_axis",
        "same_axis",
        False,
        "the page draws each unit's template on its own channels; select several units to compare them, " + MATPLOTLIB,
    ),
    Argument("shade_templates", HONOURED, "False: no shading"),
    Argument(
        "templates_percentile_shading",
        HONOURED,
        "2 or 4 percentiles (or one value p: p and 100 - p) shade the template; None: ± the standard "
        "deviation; more than 4 is an AssertionError. Without the 'waveforms' extension SpikeInterface falls "
        "back to None",
    ),
    refused("scalebar", "scalebar", False, "the page has amplitude and time axes; " + MATPLOTLIB),
    refused("x_offset_units", "x_offset_units", False, "only means something with same_axis=True, which is refused"),
    refused("alpha_waveforms", "alpha_waveforms", 0.5, "plot_unit_templates draws no waveforms"),
    refused("alpha_templates", "alpha_templates", 1, "the page chooses its line colours; " + MATPLOTLIB),
    SELECTOR,
    Argument(
        "plot_legend",
        HONOURED,
        "matplotlib draws a legend only with same_axis=True (refused here), so neither value draws one",
    ),
)

WITH_CHANNEL_IDS = refused(
    "with_channel_ids",
    "with_channel_ids",
    False,
    "this view does not write channel ids on contacts; plot_probe_map(recording, backend='sortingview') does, "
    + MATPLOTLIB,
)
ALL_UNITS = Argument(
    "plot_all_units",
    HONOURED,
    "True: every unit is drawn, as matplotlib does (which greys out the units not in unit_ids; here they keep "
    "their colour: select units in the table to dim the others); False: only unit_ids",
)
HIDE_AXIS = refused("hide_axis", "hide_axis", False, "the page always draws its µm axes; " + MATPLOTLIB)

UNIT_LOCATIONS = (
    UNIT_IDS,
    WITH_CHANNEL_IDS,
    UNIT_COLORS,
    SELECTOR,
    ALL_UNITS,
    refused("plot_legend", "plot_legend", False, NO_LEGEND),
    HIDE_AXIS,
    Argument(
        "margin",
        REFUSED,
        "the page opens fitted to the units with its own margin; zoom with the wheel, " + MATPLOTLIB,
        lambda dp: not margin_is(dp, 50.0),
    ),
)

SPIKE_LOCATIONS = (
    UNIT_IDS,
    Argument("segment_index", HONOURED, "the spikes of that segment"),
    Argument(
        "max_spikes_per_unit",
        HONOURED,
        "a random subset of that many spikes per unit, drawn by SpikeInterface (their times are then unknown)",
    ),
    WITH_CHANNEL_IDS,
    UNIT_COLORS,
    SELECTOR,
    ALL_UNITS,
    refused("plot_legend", "plot_legend", False, NO_LEGEND),
    HIDE_AXIS,
)

TEMPLATE_SIMILARITY = (
    UNIT_IDS,
    refused("cmap", "cmap", "viridis", "the page draws the matrix in viridis; " + MATPLOTLIB),
    Argument(
        "display_diagonal_values",
        HONOURED,
        "False: the diagonal (zeros in SpikeInterface's data) is left out and drawn as 'no value'; True: shown",
    ),
    Argument("show_unit_ticks", PAGE, "the page labels rows and columns with unit ids when they fit"),
    refused("show_colorbar", "show_colorbar", True, "the page always draws its colour bar; " + MATPLOTLIB),
)

SORTING_SUMMARY = (
    UNIT_IDS,
    Argument("sparsity", HONOURED, "the templates are drawn on each unit's channels of this sparsity"),
    Argument("max_amplitudes_per_unit", HONOURED, "a random subset (seed 0) of that many spikes per unit"),
    Argument(
        "min_similarity_for_correlograms",
        HONOURED,
        "cross-correlograms and similarity scores of pairs at least this alike",
    ),
    Argument("curation", HONOURED, "True: the curation panel (labels, merges) beside the units table"),
    Argument("displayed_unit_properties", HONOURED, "the units table's columns (missing ones: a UserWarning)"),
    Argument("extra_unit_properties", HONOURED, "more columns of the units table"),
    Argument("label_choices", HONOURED, "the curation panel's labels"),
    Argument(
        "curation_dict",
        HONOURED,
        "the curation the page starts from: SpikeInterface's format (v2), sortingview's JSON or a saved sha1:// URI",
    ),
    Argument("label_definitions", HONOURED, "SpikeInterface's label categories, as the curation panel's labels"),
)

UNIT_SUMMARY = (
    Argument("unit_id", HONOURED, "the unit shown"),
    UNIT_COLORS,
    Argument("sparsity", HONOURED, "the template is drawn on the unit's channels of this sparsity"),
    Argument(
        "subwidget_kwargs",
        HONOURED,
        "'unit_waveforms', 'autocorrelograms', 'amplitudes' and 'unit_locations' are passed to those parts (each "
        "refusing what it refuses; unit_locations shows the unit alone unless given plot_all_units=True); "
        "'unit_waveform_density_map' is refused: the page draws no density map",
    ),
)

PROBE_MAP = (
    refused("color_channels", "color_channels", None, "the page draws every contact alike; " + MATPLOTLIB),
    Argument("with_channel_ids", PAGE, "the page writes channel ids on contacts when they fit, and on hover"),
    refused(
        "plot_probe_kwargs",
        "plot_probe_kwargs",
        {},
        "other keyword arguments go to probeinterface's matplotlib drawing; " + MATPLOTLIB,
    ),
)

COUNT_TEXT = refused("count_text", "count_text", True, "the page's table always shows the numbers; " + MATPLOTLIB)
UNIT_TICKS = refused("unit_ticks", "unit_ticks", True, "the page's table always names the units; " + MATPLOTLIB)

CONFUSION_MATRIX = (COUNT_TEXT, UNIT_TICKS)

AGREEMENT_MATRIX = (
    Argument("ordered", HONOURED, "True: units ordered by best agreement (as matplotlib); False: in sorting order"),
    COUNT_TEXT,
    UNIT_TICKS,
)


def margin_is(data_plot: dict, margin: float) -> bool:
    """True if UnitLocationsWidget's axis limits are the units' extent plus ``margin`` (its only trace)."""
    locations = np.array([data_plot["unit_locations"][u][:2] for u in data_plot["all_unit_ids"]], dtype=float)
    low = np.nanmin(locations, axis=0) - margin
    return bool(np.isclose(data_plot["x_lim"][0], low[0]) and np.isclose(data_plot["y_lim"][0], low[1]))


# Function name -> its arguments, in the order of its signature (then those passed on to a base class).
PARITY: dict[str, tuple[Argument, ...]] = {
    "plot_amplitudes": AMPLITUDES,
    "plot_autocorrelograms": AUTOCORRELOGRAMS,
    "plot_crosscorrelograms": CROSSCORRELOGRAMS,
    "plot_quality_metrics": METRICS,
    "plot_template_metrics": METRICS,
    "plot_sorting_summary": SORTING_SUMMARY,
    "plot_spike_locations": SPIKE_LOCATIONS,
    "plot_template_similarity": TEMPLATE_SIMILARITY,
    "plot_unit_locations": UNIT_LOCATIONS,
    "plot_unit_templates": TEMPLATES,
    "plot_rasters": RASTERS,
    "plot_probe_map": PROBE_MAP,
    "plot_unit_summary": UNIT_SUMMARY,
    "plot_confusion_matrix": CONFUSION_MATRIX,
    "plot_agreement_matrix": AGREEMENT_MATRIX,
    "plot_traces": TRACES,
}


def check(widget: str, data_plot: dict, shown_as: str | None = None) -> None:
    """Refuse, naming it and what to use instead, an argument of ``widget`` the page cannot show.

    ``shown_as`` names the widget in the message when one builder serves several.
    """
    check_arguments(widget, data_plot, PARITY, shown_as=shown_as)
