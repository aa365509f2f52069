"""Views of decoded position: the sparse 0..255 encoding, the checks, and the stored figure against the format."""

from __future__ import annotations

import numpy as np
import pytest

from spikeinterface_sortingview import Figure, views
from spikeinterface_sortingview.views import FigureDataError
from tests.spec_checker import check_figure


def test_from_probabilities_keeps_non_zero_scaled_values_frame_by_frame():
    probabilities = np.array([[0.0, 0.5, 0.5], [0.001, 0.0, 0.999], [0.0, 0.0, 0.0]])
    view = views.DecodedLinearPositionData.from_probabilities(
        probabilities, np.array([1.0, 3.0, 5.0]), sampling_frequency=30.0, start_time_sec=12.5
    )
    data = view.to_dict()
    # 0.001 * 255 truncates to 0 and is left out, as pipelines write it.
    assert data["values"].tolist() == [127, 127, 254]
    assert data["positions"].tolist() == [1, 2, 2]
    assert data["frameBounds"].tolist() == [2, 1, 0]
    assert data["positionsKey"].dtype == np.float32
    assert data["startTimeSec"] == 12.5 and data["samplingFrequencyHz"] == 30.0
    assert "observedPositions" not in data


def test_decoded_linear_position_refuses_inconsistent_arrays():
    values = np.array([10, 20], dtype="uint8")
    positions = np.array([0, 1], dtype="uint16")
    key = np.array([0, 1], dtype="float32")
    with pytest.raises(FigureDataError, match="frame_bounds add up to 3 entries but there are 2 values"):
        views.DecodedLinearPositionData(values, positions, np.array([2, 1], dtype="uint8"), key)
    with pytest.raises(FigureDataError, match=r"astype\('int32'\)"):
        views.DecodedLinearPositionData(values, positions.astype("int64"), np.array([2], dtype="uint8"), key)
    with pytest.raises(FigureDataError, match="bin index 5 but positions_key has only 2 bins"):
        views.DecodedLinearPositionData(values, np.array([0, 5], dtype="uint16"), np.array([2], dtype="uint8"), key)
    with pytest.raises(FigureDataError, match="observed_positions has 3 elements but frame_bounds has 1"):
        views.DecodedLinearPositionData(
            values, positions, np.array([2], dtype="uint8"), key, observed_positions=np.zeros(3, dtype="float32")
        )
    with pytest.raises(FigureDataError, match="0..255"):
        views.DecodedLinearPositionData(
            np.array([300, 1], dtype="uint16"), positions, np.array([2], dtype="uint8"), key
        )


def track(num_frames: int = 4, **kwargs) -> views.TrackAnimation:
    corners = np.array([[0, 10, 20], [10, 10, 10]], dtype="float32")
    times = 5000.0 + np.arange(num_frames) / 30.0
    positions = np.array([np.linspace(0, 30, num_frames), np.full(num_frames, 5.0)], dtype="float32")
    return views.TrackAnimation(10.0, 10.0, corners, times, positions, **kwargs)


def test_track_animation_writes_float64_times_relative_to_their_start_and_shows_the_bins():
    data = track().to_dict()
    assert data["timestampStart"] == 5000.0
    assert data["timestamps"].dtype == np.float32
    np.testing.assert_allclose(data["timestamps"], np.arange(4) / 30.0, atol=1e-6)
    # Upper-left corners with y up: the bins cover x 0..30 and y 0..10.
    assert (data["xmin"], data["xmax"], data["ymin"], data["ymax"]) == (0.0, 30.0, 0.0, 10.0)
    assert data["totalRecordingFrameLength"] == 4
    assert not {"headDirection", "decodedData", "samplingFrequencyHz"} & set(data)


def test_track_animation_with_decoded_data_and_head_direction():
    grid = np.zeros((4, 1, 3))
    grid[np.arange(4), 0, [0, 1, 2, 2]] = 1.0
    decoded = views.DecodedPositionData.from_probabilities(grid, x_min=5.0, bin_width=10.0, y_min=5.0, bin_height=10.0)
    data = track(decoded_data=decoded, head_direction=np.zeros(4, dtype="float32"), sampling_frequency_hz=30).to_dict()
    d = data["decodedData"]
    assert d["type"] == "DecodedPositionData" and (d["xcount"], d["ycount"]) == (3, 1)
    assert d["locations"].tolist() == [0, 1, 2, 2] and d["values"].tolist() == [255] * 4
    assert d["uniqueLocations"].tolist() == [0, 1, 2]
    assert data["samplingFrequencyHz"] == 30


def test_track_animation_refuses_transposed_or_mismatched_arrays():
    corners = np.zeros((3, 2), dtype="float32")
    with pytest.raises(FigureDataError, match=r"transpose it if it is \(num_bins, 2\)"):
        views.TrackAnimation(1, 1, corners, np.zeros(2), np.zeros((2, 2), dtype="float32"))
    with pytest.raises(FigureDataError, match=r"positions must be shaped \(2, num_frames=4\)"):
        views.TrackAnimation(1, 1, corners.T.copy(), np.arange(4, dtype="float32"), np.zeros((4, 2), dtype="float32"))
    decoded = views.DecodedPositionData.from_probabilities(np.ones((3, 1, 1)), 0, 1, 0, 1)
    with pytest.raises(FigureDataError, match="decoded_data has 3 frames but there are 4 timestamps"):
        track(decoded_data=decoded)


def test_stored_position_figure_reads_as_the_format_says(store):
    rng = np.random.default_rng(0)
    linear = views.DecodedLinearPositionData.from_probabilities(
        rng.dirichlet(np.full(20, 0.2), size=50), np.arange(20, dtype="float32"), 30.0, observed_positions=np.ones(50)
    )
    plotly = views.PlotlyFigure({"data": [{"type": "bar", "y": np.arange(3, dtype="float32")}], "layout": {}})
    layout = views.Box("vertical", [linear, track(), plotly])
    leaves = check_figure(store, Figure(layout).store(store))
    assert [leaf["type"] for leaf in leaves.values()] == ["DecodedLinearPositionData", "TrackAnimation", "PlotlyFigure"]
