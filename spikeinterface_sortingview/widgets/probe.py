"""Builders for plot_unit_locations, plot_unit_templates and plot_probe_map."""

from __future__ import annotations

import numpy as np
from spikeinterface.widgets.base import to_attr

from .. import views
from .common import display_precision, drawn_units, plain_unit_id, plain_unit_ids, with_unit_selector
from .parity import check

MAX_TEMPLATE_SHADINGS = 4


def build_unit_locations_view(data_plot: dict) -> views.View:
    """Unit locations beside a units table unless ``hide_unit_selector``."""
    check("plot_unit_locations", data_plot)
    dp = to_attr(data_plot)
    unit_ids = drawn_units(dp)
    items = [
        views.UnitLocationsItem(plain_unit_id(u), float(dp.unit_locations[u][0]), float(dp.unit_locations[u][1]))
        for u in unit_ids
    ]
    view = views.UnitLocations(
        items, channel_ids=list(dp.channel_ids), channel_locations=dp.channel_locations, disable_auto_rotate=True
    )
    return with_unit_selector(view, unit_ids, dp.hide_unit_selector)


def template_shadings(dp) -> list[np.ndarray] | None:
    """The 2 or 4 percentile arrays that shade the templates, or None without shading."""
    if not dp.do_shading or dp.templates_shading is None:
        return None
    shadings = dp.templates_shading
    assert len(shadings) <= MAX_TEMPLATE_SHADINGS, (
        f"The sortingview backend shows at most {MAX_TEMPLATE_SHADINGS} template shadings (2 or 4 percentiles), "
        f"got {len(shadings)}; pass e.g. templates_percentile_shading=(1, 25, 75, 99)"
    )
    # SpikeInterface itself only makes an even number of them (pairs of lower and upper bounds)
    return shadings if len(shadings) in (2, 4) else None


def build_unit_templates_view(data_plot: dict) -> views.View:
    """Templates on each unit's channels, shaped (num_channels, num_samples), with percentile shading, beside a
    units table unless ``hide_unit_selector``.

    ``final_sparsity`` is what SpikeInterface drew from the analyzer's sparsity, ``sparsity`` or ``channel_ids``:
    its channel indices count every channel of the analyzer (``dp.channel_ids`` holds only those asked for).
    """
    check("plot_unit_templates", data_plot)
    dp = to_attr(data_plot)
    shadings = template_shadings(dp)
    all_channel_ids = np.asarray(dp.final_sparsity.channel_ids)
    items = []
    # templates and shadings hold the plotted units only, in dp.unit_ids order
    for unit_index, unit_id in enumerate(dp.unit_ids):
        channel_indices = dp.final_sparsity.unit_id_to_channel_indices[unit_id]
        waveform = display_precision(dp.templates[unit_index][:, channel_indices].T)
        percentiles = None
        if shadings is not None:
            percentiles = [display_precision(s[unit_index][:, channel_indices].T) for s in shadings]
        items.append(
            views.AverageWaveformItem(
                plain_unit_id(unit_id),
                plain_unit_ids(all_channel_ids[channel_indices]),
                waveform,
                waveform_percentiles=percentiles,
            )
        )
    view = views.AverageWaveforms(
        items,
        channel_ids=plain_unit_ids(all_channel_ids),
        channel_locations=dp.channel_locations,
        show_reference_probe=True,
    )
    return with_unit_selector(view, dp.unit_ids, dp.hide_unit_selector)


def build_probe_map_view(data_plot: dict) -> views.ElectrodeGeometry:
    check("plot_probe_map", data_plot)
    recording = to_attr(data_plot).recording
    return views.ElectrodeGeometry(plain_unit_ids(recording.channel_ids), recording.get_channel_locations())
