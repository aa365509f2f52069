"""The analyzer's per-spike values shared for splits: amplitudes (and locations) of every spike, as the figure shows them."""

from __future__ import annotations

import numpy as np

from extractors.spike_features import share_spike_features

from .. import views
from .common import display_precision


def share_analyzer_spike_features(analyzer) -> str | None:
    """Share the amplitude (and x, y location) of every spike of the analyzer's sorting; None without amplitudes.

    Amplitudes get the figure's display precision, so a lasso drawn on the figure's points takes
    the same spikes when the runner applies it to all of them.
    """
    if not analyzer.has_extension("spike_amplitudes"):
        return None
    columns = {"amplitude": display_precision(np.asarray(analyzer.get_extension("spike_amplitudes").get_data()))}
    if analyzer.has_extension("spike_locations"):
        locations = analyzer.get_extension("spike_locations").get_data()
        columns["x"], columns["y"] = locations["x"], locations["y"]
    return share_spike_features(columns)


def splittable_amplitudes(
    view: views.SpikeAmplitudes, sorting_uri: str, analyzer, recording_uri: str | None = None
) -> views.SpikeAmplitudes:
    """The amplitudes view naming the shared sorting and spike features, so a curator can split from it.

    With ``recording_uri`` the split's preview shows both parts' templates too.
    """
    features_uri = share_analyzer_spike_features(analyzer)
    if features_uri is None:
        return view
    return views.SplittableSpikeAmplitudes(
        view.start_time_sec,
        view.end_time_sec,
        view.units,
        hide_unit_selector=view.hide_unit_selector,
        sorting_uri=sorting_uri,
        spike_features_uri=features_uri,
        recording_uri=recording_uri,
        chunks=view.chunks,
    )
