"""Builder for plot_traces: traces are not embedded, the page reads them live from a runner with compute."""

from __future__ import annotations

from spikeinterface.widgets.base import to_attr

import extractors

from .. import views

EPHYS_TRACES_FORMAT = "spikeinterface-sortingview/recording"


def build_traces_view(data_plot: dict) -> views.EphysTraces:
    """Share the recording (in place when it is a binary file) and point an EphysTraces view at it.

    With several layers (a dict of recordings) the first one is shown.
    """
    dp = to_attr(data_plot)
    recording = next(iter(dp.recordings.values()))
    recording_uri = extractors.share_recording(recording)
    return views.EphysTraces(EPHYS_TRACES_FORMAT, recording_uri)
