"""Builders for plot_sorting_summary and plot_unit_summary: layouts of the other widgets' views."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from spikeinterface.widgets.amplitudes import AmplitudesWidget
from spikeinterface.widgets.autocorrelograms import AutoCorrelogramsWidget
from spikeinterface.widgets.base import to_attr
from spikeinterface.widgets.unit_locations import UnitLocationsWidget
from spikeinterface.widgets.unit_templates import UnitTemplatesWidget

import extractors

from .. import views
from ..curation import curation_for_figure
from .analyzer_views import (
    amplitudes_view,
    crosscorrelograms_view,
    templates_view,
    unit_locations_view,
    unit_positions,
)
from .arguments import UnsupportedArgumentError
from .common import plain_unit_id
from .curation_views import live_curation_views
from .metrics import make_units_table, select_unit_properties, units_table_view
from .parity import check
from .similarity import similarity_scores
from .spike_features import splittable_amplitudes

# Parts of a figure are built without storing or printing; only the whole figure is published.
PART = dict(backend="sortingview", generate_url=False, display=False)


def build_sorting_summary_view(data_plot: dict) -> views.Splitter:
    """Units table (and curation) on the left; templates, locations, amplitudes and correlograms on the right.

    The sorting is shared (its spike vector stored by content) so a page served with compute can
    show correlograms and waveforms of the units a curator merges. With ``curation=True`` a third
    row holds the feature view and merge suggestions (tabs), which the runner computes from the recording
    (shared by ``recording_for_runner``), or a note saying why the recording cannot be shared.
    """
    check("plot_sorting_summary", data_plot)
    dp = to_attr(data_plot)
    analyzer = dp.sorting_analyzer
    unit_ids = list(dp.unit_ids)
    # The sorting is shared on a thread while the views that do not name it are built: its encoding, hashing
    # and writing mostly release the GIL. The spike vector is cached first, so that both read the same one.
    analyzer.sorting.to_spike_vector()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sv-share") as sharing:
        shared = sharing.submit(extractors.share_sorting, analyzer.sorting)
        amplitudes = amplitudes_view(
            analyzer, unit_ids, max_spikes_per_unit=dp.max_amplitudes_per_unit, with_spike_indices=dp.curation
        )
        similarity = analyzer.get_extension("template_similarity").get_data()
        positions = unit_positions(analyzer, unit_ids)
        scores = similarity_scores(
            unit_ids, similarity[positions][:, positions], min_similarity=dp.min_similarity_for_correlograms
        )
        table = make_units_table(analyzer, extra_properties=dp.extra_unit_properties)
        table = select_unit_properties(table, dp.displayed_unit_properties)
        units_table = units_table_view(table, unit_ids, similarity_scores=scores)
        locations = unit_locations_view(analyzer, unit_ids)
        sorting_uri = shared.result()
    templates = templates_view(analyzer, unit_ids, sorting_uri=sorting_uri, sparsity=dp.sparsity)
    correlograms = crosscorrelograms_view(analyzer, unit_ids, dp.min_similarity_for_correlograms, sorting_uri)

    left_items = [views.LayoutItem(units_table, stretch=3)]
    live = recording_uri = None
    if dp.curation:
        recording_uri, live = live_curation_views(analyzer, sorting_uri)
        amplitudes = splittable_amplitudes(amplitudes, sorting_uri, analyzer, recording_uri)
        start = curation_for_figure(dp.curation_dict, dp.label_definitions, analyzer.sorting)
        curation = views.SortingCuration2(label_choices=dp.label_choices, sorting_uri=sorting_uri, curation=start)
        left_items.append(views.LayoutItem(curation, max_size=250))
    left = views.Box("vertical", left_items)
    top = views.Box("horizontal", [views.LayoutItem(templates, stretch=2), views.LayoutItem(locations, stretch=1)])
    middle = views.Box(
        "horizontal", [views.LayoutItem(amplitudes, stretch=2), views.LayoutItem(correlograms, stretch=1)]
    )
    right = views.Splitter("vertical", top, middle)
    if live is not None:
        # The curation's live views get a third row: the feature view and merge suggestions (or why they are missing).
        # a note (no recording to share) takes a line, not a third of the height
        below = views.LayoutItem(live, stretch=1) if recording_uri else views.LayoutItem(live, max_size=80)
        right = views.Splitter("vertical", views.LayoutItem(right, stretch=2), below)
    return views.Splitter(
        "horizontal", views.LayoutItem(left, max_size=720, stretch=1), views.LayoutItem(right, stretch=2)
    )


def build_unit_summary_view(data_plot: dict) -> views.Box:
    """One unit: its facts, template, autocorrelogram, amplitudes and location.

    Its parts are SpikeInterface's widgets with ``subwidget_kwargs``, each refusing what it cannot show. The
    location shows the unit alone unless given ``plot_all_units=True``: all units in their colours would hide it.
    """
    check("plot_unit_summary", data_plot)
    dp = to_attr(data_plot)
    analyzer = dp.sorting_analyzer
    unit_id = dp.unit_id
    sub = dp.subwidget_kwargs
    if "unit_waveform_density_map" in sub:
        raise UnsupportedArgumentError(
            "plot_unit_summary: the sortingview backend draws no waveform density map; leave "
            "'unit_waveform_density_map' out of subwidget_kwargs, or use backend='matplotlib'"
        )
    parts: list[views.LayoutItem] = []
    if analyzer.has_extension("templates"):
        kwargs = {"sparsity": dp.sparsity, "hide_unit_selector": True, **sub.get("unit_waveforms", {})}
        view = UnitTemplatesWidget(analyzer, unit_ids=[unit_id], **kwargs, **PART).view
        parts.append(views.LayoutItem(view, title="Template", stretch=2))
    if analyzer.has_extension("correlograms"):
        view = AutoCorrelogramsWidget(analyzer, unit_ids=[unit_id], **sub.get("autocorrelograms", {}), **PART).view
        parts.append(views.LayoutItem(view, title="Autocorrelogram"))
    if analyzer.has_extension("spike_amplitudes"):
        view = AmplitudesWidget(
            analyzer, unit_ids=[unit_id], **{"hide_unit_selector": True, **sub.get("amplitudes", {})}, **PART
        ).view
        parts.append(views.LayoutItem(view, title="Amplitudes", stretch=2))
    if analyzer.has_extension("unit_locations"):
        kwargs = {"hide_unit_selector": True, "plot_all_units": False, **sub.get("unit_locations", {})}
        view = UnitLocationsWidget(analyzer, unit_ids=[unit_id], **kwargs, **PART).view
        parts.append(views.LayoutItem(view, title="Location"))
    facts = unit_facts_markdown(analyzer, unit_id)
    top = views.LayoutItem(views.Markdown(facts), max_size=140)
    return views.Box("vertical", [top, views.LayoutItem(views.Box("horizontal", parts, show_titles=True), stretch=4)])


def unit_facts_markdown(analyzer, unit_id) -> str:
    """A short Markdown description of a unit: spike count, firing rate and quality metrics."""
    sorting = analyzer.sorting
    num_spikes = sum(
        len(sorting.get_unit_spike_train(unit_id, segment_index=s)) for s in range(sorting.get_num_segments())
    )
    duration = (
        sum(analyzer.get_num_samples(s) for s in range(analyzer.get_num_segments())) / analyzer.sampling_frequency
    )
    lines = [f"## Unit {plain_unit_id(unit_id)}", "", f"{num_spikes} spikes, {num_spikes / duration:.2f} Hz"]
    if analyzer.has_extension("quality_metrics"):
        metrics = analyzer.get_extension("quality_metrics").get_data().loc[unit_id]
        shown = [f"{key}: {value:.4g}" for key, value in metrics.items() if isinstance(value, float) and value == value]
        lines += ["", " · ".join(shown[:8])]
    return "\n".join(lines)
