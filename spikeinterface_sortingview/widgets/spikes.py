"""Builders for plot_amplitudes, plot_rasters and plot_spike_locations."""

from __future__ import annotations

import numpy as np
from spikeinterface.widgets.base import to_attr

from .. import views
from .common import display_precision, first_segment, plain_unit_id, seconds_float32, with_unit_selector


def build_amplitudes_view(data_plot: dict) -> views.View:
    """Spike amplitudes of the first segment (as the sortingview backend always did), beside a units table
    unless ``hide_unit_selector``."""
    dp = to_attr(data_plot)
    times = first_segment(dp.spike_train_data)
    amplitudes = first_segment(dp.y_axis_data)
    items = [
        views.SpikeAmplitudesItem(
            plain_unit_id(unit_id), seconds_float32(times[unit_id]), display_precision(amplitudes[unit_id])
        )
        for unit_id in dp.unit_ids
    ]
    # the table is the selector: the view's own (in other viewers) would be a second one
    view = views.SpikeAmplitudes(0.0, float(dp.durations[0]), items, hide_unit_selector=True)
    return with_unit_selector(view, dp.unit_ids, dp.hide_unit_selector)


def build_rasters_view(data_plot: dict) -> views.RasterPlot:
    """Spike rasters of the first segment."""
    dp = to_attr(data_plot)
    times = first_segment(dp.spike_train_data)
    items = [views.RasterPlotItem(plain_unit_id(u), seconds_float32(times[u])) for u in dp.unit_ids]
    return views.RasterPlot(0.0, float(dp.durations[0]), items)


def build_spike_locations_view(data_plot: dict) -> views.View:
    """Spike positions beside a units table unless ``hide_unit_selector``; when SpikeInterface kept only a random
    subset of spikes, their times are unknown (NaN)."""
    dp = to_attr(data_plot)
    items = []
    for unit_id in dp.unit_ids:
        locations = dp.spike_locations[unit_id]
        times = dp.sorting.get_unit_spike_train(unit_id, segment_index=dp.segment_index, return_times=True)
        if len(times) != len(locations):
            times = np.full(len(locations), np.nan)
        items.append(
            views.SpikeLocationsItem(
                plain_unit_id(unit_id),
                seconds_float32(times),
                np.asarray(locations["x"], dtype="float32"),
                np.asarray(locations["y"], dtype="float32"),
            )
        )
    x_range, y_range = padded_range(dp.channel_locations)
    view = views.SpikeLocations(
        items,
        x_range=x_range,
        y_range=y_range,
        channel_ids=list(dp.channel_ids),
        channel_locations=dp.channel_locations,
        hide_unit_selector=dp.hide_unit_selector,
        disable_auto_rotate=True,
    )
    return with_unit_selector(view, dp.unit_ids, dp.hide_unit_selector)


def padded_range(channel_locations: np.ndarray, margin_um: float = 50.0) -> tuple[list[float], list[float]]:
    """The probe's x and y extent with a margin, in micrometres."""
    low = channel_locations[:, :2].min(axis=0) - margin_um
    high = channel_locations[:, :2].max(axis=0) + margin_um
    return [float(low[0]), float(high[0])], [float(low[1]), float(high[1])]
