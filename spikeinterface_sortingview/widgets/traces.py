"""Builder for plot_traces: traces are not embedded, the page reads them live from a runner with compute."""

from __future__ import annotations

from spikeinterface.widgets.base import to_attr

import extractors

from .. import views
from .parity import check

EPHYS_TRACES_FORMAT = "spikeinterface-sortingview/recording"


def build_traces_view(data_plot: dict) -> views.EphysTraces:
    """Share the recording (in place when it is a binary file) and point an EphysTraces view at it.

    With ``channel_ids``, only those channels are shared (a copy of them).
    """
    check("plot_traces", data_plot)
    dp = to_attr(data_plot)
    recording = dp.recordings[dp.layer_keys[0]]
    # the page lays channels out by depth, so only the set of channels matters
    if set(dp.channel_ids) != set(recording.channel_ids):
        recording = recording.select_channels(list(dp.channel_ids))
    recording_uri = extractors.share_recording(recording)
    return views.EphysTraces(EPHYS_TRACES_FORMAT, recording_uri)
