"""The split and merge-suggestion views: their fields, and construction errors that say what to fix."""

from __future__ import annotations

import numpy as np
import pytest

from spikeinterface_sortingview import views


def test_split_views_write_the_uris_the_runner_computes_from():
    item = views.SpikeAmplitudesItem(3, np.array([0.5], "float32"), np.array([-80.0], "float32"))
    plain = views.SplittableSpikeAmplitudes(0, 10, [item]).to_dict()
    assert plain["type"] == "SpikeAmplitudes" and "sortingUri" not in plain  # a plain SpikeAmplitudes view
    amplitudes = views.SplittableSpikeAmplitudes(0, 10, [item], sorting_uri="sha1://s", spike_features_uri="sha1://f")
    assert amplitudes.to_dict()["sortingUri"] == "sha1://s" and amplitudes.to_dict()["spikeFeaturesUri"] == "sha1://f"
    feature = views.FeatureView("sha1://s", "sha1://r", ms_before=0.5, num_channels=4).to_dict()
    assert feature == {
        "type": "FeatureView",
        "sortingUri": "sha1://s",
        "recordingUri": "sha1://r",
        "msBefore": 0.5,
        "msAfter": 2.0,
        "numChannels": 4,
    }
    merges = views.MergeSuggestions("sha1://s", "sha1://r", presets=["slay"]).to_dict()
    assert merges == {
        "type": "MergeSuggestions",
        "sortingUri": "sha1://s",
        "recordingUri": "sha1://r",
        "presets": ["slay"],
    }


def test_split_views_refuse_what_the_runner_could_not_use():
    with pytest.raises(ValueError, match="needs both sorting_uri and recording_uri"):
        views.FeatureView("sha1://s", None)
    with pytest.raises(ValueError, match="num_channels must be an int from 1 to 64"):
        views.FeatureView("sha1://s", "sha1://r", num_channels=0)
    with pytest.raises(ValueError, match="spike_features_uri must be a URI"):
        views.SplittableSpikeAmplitudes(0, 1, [], spike_features_uri="")
    with pytest.raises(ValueError, match="needs sorting_uri and recording_uri"):
        views.MergeSuggestions("sha1://s", "")
