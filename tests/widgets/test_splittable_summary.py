"""The sorting summary with curation shares every spike's amplitude and location, so its amplitudes can be split."""

from __future__ import annotations

import numpy as np
import spikeinterface.full as si

from extractors.spike_features import load_spike_features
from spikeinterface_sortingview.widgets.common import display_precision
from tests.widgets.test_backend import stored_leaves


def amplitude_view(url: str) -> dict:
    (view,) = [v for v in stored_leaves(url).values() if v["type"] == "SpikeAmplitudes"]
    return view


def test_a_curation_summary_names_its_sorting_and_every_spike_s_features(analyzer):
    widget = si.plot_sorting_summary(analyzer, backend="sortingview", curation=True, display=False)
    view = amplitude_view(widget.url)
    (curation,) = [v for v in stored_leaves(widget.url).values() if v["type"] == "SortingCuration2"]
    assert view["sortingUri"] == curation["sortingUri"]
    columns, values = load_spike_features(view["spikeFeaturesUri"])
    assert columns == ["amplitude", "x", "y"] and values.shape == (analyzer.sorting.count_total_num_spikes(), 3)
    amplitudes = analyzer.get_extension("spike_amplitudes").get_data()
    np.testing.assert_array_equal(values[:, 0], display_precision(amplitudes))
    np.testing.assert_array_equal(values[:, 1], analyzer.get_extension("spike_locations").get_data()["x"].astype("f4"))


def test_a_summary_without_curation_stays_as_it_was(analyzer):
    view = amplitude_view(si.plot_sorting_summary(analyzer, backend="sortingview", display=False).url)
    assert "sortingUri" not in view and "spikeFeaturesUri" not in view
