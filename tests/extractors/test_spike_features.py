"""Per-spike features shared by URI: stored once, read back memory-mapped, bad columns refused."""

from __future__ import annotations

import numpy as np
import pytest

from extractors.spike_features import load_spike_features, share_spike_features


def test_columns_come_back_in_their_order_and_the_same_values_give_the_same_uri(store):
    amplitude = np.array([-80.5, -60.25, -91.0])
    uri = share_spike_features({"y": [1, 2, 3], "amplitude": amplitude})
    assert share_spike_features({"amplitude": amplitude, "y": [1, 2, 3]}) == uri
    columns, values = load_spike_features(uri)
    assert columns == ["amplitude", "y"] and values.dtype == np.float32
    np.testing.assert_array_equal(values, np.array([amplitude, [1, 2, 3]], "float32").T)


def test_bad_columns_are_refused_with_the_known_names(store):
    with pytest.raises(ValueError, match="unknown feature column"):
        share_spike_features({"pc1": [1.0]})
    with pytest.raises(ValueError, match="different lengths"):
        share_spike_features({"amplitude": [1.0, 2.0], "x": [1.0]})
    with pytest.raises(ValueError, match="at least one"):
        share_spike_features({})
