"""The parity table's plot_traces entry: what the sortingview backend does with each argument of plot_traces.

The page reads traces live from a runner, so most of what plot_traces draws is chosen in the page; the
arguments are seen through TracesWidget's data_plot, some only through what they did to it.
"""

from __future__ import annotations

import numpy as np

from .arguments import HONOURED, MATPLOTLIB, PAGE, REFUSED, Argument, refused

LIVE_TRACES = "the page reads the traces live and you scroll, zoom and pick channels there"

TRACES = (
    Argument(
        "recording",
        REFUSED,
        "several recordings (a dict or list of layers) cannot share one page; make a figure per recording, "
        + MATPLOTLIB,
        lambda dp: len(dp["layer_keys"]) > 1,
    ),
    Argument(
        "segment_index",
        REFUSED,
        "the page opens at segment 0 and switches segments in its own menu; " + LIVE_TRACES,
        lambda dp: dp.get("segment_index", 0) != 0,
    ),
    Argument("channel_ids", HONOURED, "only these channels are shared and shown (a copy of those channels)"),
    Argument("order_channel_by_depth", PAGE, "the page always lays channels out by depth, whatever the value"),
    Argument(
        "time_range",
        REFUSED,
        "the page opens at the first second of the segment; " + LIVE_TRACES,
        lambda dp: not time_range_is_first_second(dp),
    ),
    Argument(
        "mode",
        PAGE,
        "the page draws lines in every mode (the minimum and maximum of each pixel column when zoomed out); "
        "SpikeInterface turns 'auto' into 'map' above 64 channels, so 'map' cannot be refused",
    ),
    Argument("return_in_uV", PAGE, "the page shows µV when the recording has gains, else raw values"),
    refused("cmap", "cmap", "RdBu_r", "the page draws lines, not a colour map; " + MATPLOTLIB),
    refused("show_channel_ids", "show_channel_ids", False, "the page names channels on hover; " + MATPLOTLIB),
    refused("events", "events", None, "the page draws no events; " + MATPLOTLIB),
    refused("events_color", "events_color", "gray", "the page draws no events; " + MATPLOTLIB),
    refused("events_alpha", "events_alpha", 0.5, "the page draws no events; " + MATPLOTLIB),
    Argument(
        "color_groups",
        REFUSED,
        "the page draws every channel in one colour; " + MATPLOTLIB,
        lambda dp: len(set(map(str, first_layer_colours(dp)))) > 1,
    ),
    Argument(
        "color",
        REFUSED,
        "the page draws every channel in one colour of its own; " + MATPLOTLIB,
        lambda dp: any(str(c) != "k" for c in first_layer_colours(dp)),
    ),
    Argument(
        "clim",
        REFUSED,
        "the page draws lines, not a colour map; " + MATPLOTLIB,
        lambda dp: any(list(c) != [-200, 200] for c in dp.get("clims", {}).values()),
    ),
    refused("tile_size", "tile_size", 1500, "the page reads windows of the traces live, it stores no image tiles"),
    Argument(
        "seconds_per_row",
        REFUSED,
        "the page reads windows of the traces live, it stores no image rows",
        lambda dp: dp["num_timepoints_per_row"] != int(0.2 * first_recording(dp).sampling_frequency),
    ),
    Argument(
        "scale",
        REFUSED,
        "change the gain in the page (its gain buttons); " + MATPLOTLIB,
        lambda dp: traces_scaled(dp),
    ),
    Argument(
        "vspacing_factor",
        REFUSED,
        "the page spaces channels by their probe positions; " + MATPLOTLIB,
        lambda dp: not np.isclose(dp.get("vspacing", 0.0), 1.5 * dp.get("max_channel_amp", 0.0)),
    ),
    Argument("with_colorbar", PAGE, "the page draws lines, so no colour bar, whatever the value"),
    refused("add_legend", "add_legend", True, "the page shows one recording, so there is no legend to hide"),
)


def first_recording(data_plot: dict):
    return data_plot["recordings"][data_plot["layer_keys"][0]]


def first_layer_colours(data_plot: dict) -> list:
    return list(data_plot["colors"][data_plot["layer_keys"][0]].values())


def time_range_is_first_second(data_plot: dict) -> bool:
    recording = first_recording(data_plot)
    start = recording.get_start_time(segment_index=data_plot["segment_index"])
    end = min(start + 1.0, recording.get_end_time(segment_index=data_plot["segment_index"]))
    return bool(np.allclose(data_plot["time_range"], [start, end]))


def traces_scaled(data_plot: dict) -> bool:
    """True if the traces SpikeInterface read were multiplied by a ``scale`` other than 1."""
    recording = first_recording(data_plot)
    start, end = data_plot["frame_range"]
    raw = recording.get_traces(
        segment_index=data_plot["segment_index"],
        start_frame=start,
        end_frame=end,
        channel_ids=data_plot["channel_ids"],
        return_in_uV=data_plot["return_in_uV"],
    )
    return not np.allclose(data_plot["list_traces"][0], raw)
