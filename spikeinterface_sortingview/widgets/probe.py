"""Builders for plot_unit_locations, plot_unit_templates and plot_probe_map."""

from __future__ import annotations

import numpy as np
from spikeinterface.widgets.base import to_attr

from .. import views
from .common import display_precision, plain_unit_id, plain_unit_ids, with_unit_selector

MAX_TEMPLATE_SHADINGS = 4


def build_unit_locations_view(data_plot: dict) -> views.View:
    """Unit locations beside a units table unless ``hide_unit_selector``."""
    dp = to_attr(data_plot)
    items = [
        views.UnitLocationsItem(plain_unit_id(u), float(dp.unit_locations[u][0]), float(dp.unit_locations[u][1]))
        for u in dp.unit_ids
    ]
    view = views.UnitLocations(
        items, channel_ids=list(dp.channel_ids), channel_locations=dp.channel_locations, disable_auto_rotate=True
    )
    return with_unit_selector(view, dp.unit_ids, dp.hide_unit_selector)


def build_unit_templates_view(data_plot: dict) -> views.AverageWaveforms:
    """Templates on each unit's sparse channels, shaped (num_channels, num_samples), with percentile shading."""
    dp = to_attr(data_plot)
    shadings = dp.templates_shading if dp.do_shading else None
    if shadings is not None:
        assert len(shadings) <= MAX_TEMPLATE_SHADINGS, (
            f"The sortingview backend shows at most {MAX_TEMPLATE_SHADINGS} template shadings (2 or 4 percentiles), "
            f"got {len(shadings)}; pass e.g. templates_percentile_shading=(1, 25, 75, 99)"
        )
        if len(shadings) not in (2, 4):
            shadings = None  # the format holds 2 or 4 percentile arrays; a single one cannot be drawn as a band
    channel_ids = np.asarray(dp.channel_ids)
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
                plain_unit_ids(channel_ids[channel_indices]),
                waveform,
                waveform_percentiles=percentiles,
            )
        )
    return views.AverageWaveforms(
        items,
        channel_ids=plain_unit_ids(channel_ids),
        channel_locations=dp.channel_locations,
        show_reference_probe=True,
    )


def build_probe_map_view(data_plot: dict) -> views.ElectrodeGeometry:
    dp = to_attr(data_plot)
    recording = dp.recording
    return views.ElectrodeGeometry(plain_unit_ids(recording.channel_ids), recording.get_channel_locations())
