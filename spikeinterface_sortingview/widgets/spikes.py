"""Builders for plot_amplitudes, plot_rasters and plot_spike_locations."""

from __future__ import annotations

import numpy as np
from spikeinterface.widgets.base import to_attr

from .. import views
from .common import display_precision, drawn_units, plain_unit_id, seconds_float32, with_unit_selector
from .parity import check


def time_window(dp) -> tuple[float, float]:
    """The time range shown: ``x_lim`` (``time_range`` of rasters) or the segments laid end to end."""
    if dp.x_lim is not None:
        return float(dp.x_lim[0]), float(dp.x_lim[1])
    return 0.0, float(np.sum(dp.durations))


def spikes_in_window(dp, unit_id, start: float, end: float) -> tuple[np.ndarray, np.ndarray]:
    """A unit's spike times (in time order, every ``scatter_decimate``-th) inside the window, and their y values.

    SpikeInterface's BaseRasterWidget has already laid the segments end to end and drawn the random subset of
    ``max_spikes_per_unit``; that subset is not in time order.
    """
    times = np.asarray(dp.spike_train_data[unit_id], dtype="float64")
    values = np.asarray(dp.y_axis_data[unit_id])
    order = np.argsort(times, kind="stable")[:: dp.scatter_decimate or 1]
    times, values = times[order], values[order]
    inside = (times >= start) & (times <= end)
    return times[inside], values[inside]


def build_amplitudes_view(data_plot: dict) -> views.View:
    """Spike amplitudes beside a units table unless ``hide_unit_selector``."""
    check("plot_amplitudes", data_plot)
    dp = to_attr(data_plot)
    start, end = time_window(dp)
    items = []
    for unit_id in dp.unit_ids:
        times, amplitudes = spikes_in_window(dp, unit_id, start, end)
        items.append(
            views.SpikeAmplitudesItem(plain_unit_id(unit_id), seconds_float32(times), display_precision(amplitudes))
        )
    # the table is the selector: the view's own (in other viewers) would be a second one
    view = views.SpikeAmplitudes(start, end, items, hide_unit_selector=True)
    return with_unit_selector(view, dp.unit_ids, dp.hide_unit_selector)


def build_rasters_view(data_plot: dict) -> views.View:
    """Spike rasters of the chosen segments laid end to end, beside a units table if ``hide_unit_selector=False``."""
    check("plot_rasters", data_plot)
    dp = to_attr(data_plot)
    start, end = time_window(dp)
    items = [
        views.RasterPlotItem(plain_unit_id(u), seconds_float32(spikes_in_window(dp, u, start, end)[0]))
        for u in dp.unit_ids
    ]
    return with_unit_selector(views.RasterPlot(start, end, items), dp.unit_ids, dp.hide_unit_selector)


def build_spike_locations_view(data_plot: dict) -> views.View:
    """Spike positions beside a units table unless ``hide_unit_selector``; when SpikeInterface kept only a random
    subset of spikes, their times are unknown (NaN)."""
    check("plot_spike_locations", data_plot)
    dp = to_attr(data_plot)
    unit_ids = drawn_units(dp)
    items = []
    for unit_id in unit_ids:
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
    return with_unit_selector(view, unit_ids, dp.hide_unit_selector)


def padded_range(channel_locations: np.ndarray, margin_um: float = 50.0) -> tuple[list[float], list[float]]:
    """The probe's x and y extent with a margin, in micrometres."""
    low = channel_locations[:, :2].min(axis=0) - margin_um
    high = channel_locations[:, :2].max(axis=0) + margin_um
    return [float(low[0]), float(high[0])], [float(low[1]), float(high[1])]
