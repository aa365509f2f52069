"""Splits: a polygon in a view's feature space applied to every spike of a unit, merge group or part, and the preview."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import spikeinterface.core as sc

from extractors.pca_model import share_analyzer_pca_model
from runner.handlers import DictDataSource, HandlerInputError, run_handler
from spikeinterface_sortingview.widgets.common import display_precision
from spikeinterface_sortingview.widgets.spike_features import share_analyzer_spike_features

SPLIT = "sortingview.split_selection.1"
FEATURES = "sortingview.unit_features.1"


@pytest.fixture(scope="module")
def split_analyzer(ground_truth):
    """A real analyzer of the ``rec``/``sort`` pair with spike amplitudes and spike locations."""
    recording, sorting = ground_truth
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        analyzer = sc.create_sorting_analyzer(sorting, recording, format="memory", sparse=False)
        analyzer.compute(["random_spikes", "templates", "spike_amplitudes", "spike_locations"])
    return analyzer


@pytest.fixture(scope="module")
def pca_analyzer(ground_truth):
    """An analyzer of the same pair with waveforms, for the principal_components extension each test computes."""
    recording, sorting = ground_truth
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        analyzer = sc.create_sorting_analyzer(sorting, recording, format="memory", sparse=False)
        analyzer.compute(["random_spikes", "waveforms"], verbose=False)
    return analyzer


@pytest.fixture
def features_uri(split_analyzer) -> str:
    return share_analyzer_spike_features(split_analyzer)


def unit_spikes(analyzer, unit_ids: list):
    """Independently: (sample, display amplitude, x, y) of the units' spikes in time order, ties by unit order."""
    spikes = analyzer.sorting.to_spike_vector()
    positions = [list(analyzer.unit_ids).index(u) for u in unit_ids]
    mask = np.isin(spikes["unit_index"], positions)
    amplitudes = display_precision(analyzer.get_extension("spike_amplitudes").get_data())[mask]
    locations = analyzer.get_extension("spike_locations").get_data()[mask]
    # as the figure holds them: float32
    return spikes["sample_index"][mask], amplitudes, locations["x"].astype("float32"), locations["y"].astype("float32")


def rectangle(x0: float, x1: float, y0: float, y1: float) -> list:
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]


def test_an_amplitude_polygon_takes_exactly_the_spikes_inside_it(data, split_analyzer, features_uri, unit_ids):
    unit = unit_ids[2]
    samples, amplitudes, _, _ = unit_spikes(split_analyzer, [unit])
    times = samples / 25000.0
    cut = float(np.median(amplitudes))
    polygon = rectangle(2.0, 8.0, cut, 1e6)
    task = {"sorting_uri": "sort", "unit_ids": unit, "feature": "amplitudes", "polygon": polygon}
    result = run_handler(SPLIT, {**task, "spike_features_uri": features_uri}, data).data
    expected = np.flatnonzero((times > 2.0) & (times < 8.0) & (amplitudes > cut))
    assert 0 < len(expected) < len(samples)
    np.testing.assert_array_equal(result["indices"], expected)
    assert result["numSpikes"] == [len(expected), len(samples) - len(expected)]
    # the preview: both parts' autocorrelograms count their own spikes' lags, amplitudes marked by part
    assert result["autocorrelograms"].shape == (2, 49) and result["binEdgesSec"].shape == (50,)
    parts = result["amplitudePart"]
    assert (parts == 0).sum() == len(expected) and (parts == 1).sum() == len(samples) - len(expected)
    inside = result["amplitudes"][parts == 0]
    assert np.all(inside > cut)
    assert "templates" not in result  # no recording named: no templates


def test_a_merge_group_and_a_part_of_it_are_numbered_in_time_order(data, split_analyzer, features_uri, unit_ids):
    group = [unit_ids[4], unit_ids[1]]
    samples, _, x, y = unit_spikes(split_analyzer, sorted(group, key=unit_ids.index))
    assert np.all(np.diff(samples) >= 0)
    # off the medians, so that no spike lies on an edge
    x0, y0 = float(np.median(x)) + 1e-3, float(np.median(y)) + 1e-3
    polygon = rectangle(x0, 1e4, y0, 1e4)
    task = {"sorting_uri": "sort", "unit_ids": group, "feature": "locations", "spike_features_uri": features_uri}
    result = run_handler(SPLIT, {**task, "polygon": polygon}, data).data
    expected = np.flatnonzero((x > x0) & (y > y0))
    np.testing.assert_array_equal(result["indices"], expected)
    # split the part again: indices are numbers into the part's own spikes
    part = expected.tolist()
    y1 = float(np.median(y[expected])) + 1e-3
    again = run_handler(SPLIT, {**task, "polygon": rectangle(-1e4, 1e4, -1e4, y1), "spike_indices": part}, data).data
    np.testing.assert_array_equal(again["indices"], np.flatnonzero(y[expected] < y1))


def test_a_pca_polygon_on_the_drawn_features_takes_the_same_spikes(data, unit_ids):
    base = {"sorting_uri": "sort", "recording_uri": "rec", "unit_ids": [unit_ids[0], unit_ids[3]]}
    drawn = run_handler(FEATURES, {**base, "feature": "pca", "max_spikes": 50_000}, data).data
    features = drawn["features"]
    assert drawn["axisLabels"] == ["PC1", "PC2"] and len(drawn["positions"]) == drawn["numSpikes"]
    # two different neurons: PC1 separates them; a half-plane polygon takes one side
    polygon = rectangle(-1e6, 0.0, -1e6, 1e6)
    result = run_handler(SPLIT, {**base, "feature": "pca", "polygon": polygon}, data).data
    np.testing.assert_array_equal(result["indices"], drawn["positions"][features[:, 0] < 0])
    assert 0 < len(result["indices"]) < drawn["numSpikes"]
    assert result["templates"].shape[0] == 2 and len(result["templateChannelIds"]) == result["templates"].shape[1]
    assert not np.allclose(result["templates"][0], result["templates"][1])


@pytest.mark.parametrize("mode", ["by_channel_local", pytest.param("concatenated", marks=pytest.mark.slow)])
def test_the_analyzer_s_pca_gives_every_spike_the_projection_spikeinterface_stored(data, pca_analyzer, unit_ids, mode):
    split_analyzer = pca_analyzer
    split_analyzer.compute("principal_components", n_components=3, mode=mode, verbose=False)
    uri = share_analyzer_pca_model(split_analyzer)
    unit = unit_ids[2]
    base = {"sorting_uri": "sort", "recording_uri": "rec", "unit_ids": unit, "pca_model_uri": uri}
    drawn = run_handler(FEATURES, {**base, "feature": "pca", "max_spikes": 50_000}, data).data
    assert drawn["numSpikes"] == len(drawn["positions"]) and "principal_components" in drawn["pcaSource"]
    # SpikeInterface's projections of the unit's random spikes, at their numbers in the unit's train
    extension = split_analyzer.get_extension("principal_components")
    unit_index = list(split_analyzer.unit_ids).index(unit)
    in_unit = np.flatnonzero(split_analyzer.sorting.to_spike_vector()["unit_index"] == unit_index)
    random = split_analyzer.get_extension("random_spikes").get_data()
    numbers = np.searchsorted(in_unit, random[np.isin(random, in_unit)])
    stored = extension.get_projections_one_unit(unit, sparse=False)
    if mode == "by_channel_local":
        channel = list(split_analyzer.channel_ids).index(drawn["channelIds"][0])
        stored = stored[:, :2, channel]
    np.testing.assert_allclose(drawn["features"][numbers], stored[:, :2], rtol=1e-3, atol=1e-3)
    # a polygon on those features takes the same spikes when applied to all of them
    cut = float(np.median(drawn["features"][:, 0]))
    polygon = rectangle(-1e6, cut, -1e6, 1e6)
    result = run_handler(SPLIT, {**base, "feature": "pca", "polygon": polygon}, data).data
    np.testing.assert_array_equal(result["indices"], np.flatnonzero(drawn["features"][:, 0] < cut))
    other = {"sorting_uri": "sort2", "recording_uri": "rec2", "unit_ids": 0, "feature": "pca", "pca_model_uri": uri}
    with pytest.raises(HandlerInputError, match="fitted on a recording of 8 channels"):
        run_handler(FEATURES, other, data)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"polygon": [[0, 0], [1, 1]]}, "at least 3"),
        ({"polygon": [[0, 0], [1, "a"], [2, 0]]}, r"polygon\[1\]"),
        ({"polygon": [[0, 0], [1, 1], [2, 2]]}, "zero area"),
        ({"polygon": [[0, 0], [1, 0], [0, float("nan")]]}, "finite"),
        ({"polygon": [[i, i % 2] for i in range(1001)]}, "at most 1000"),
        ({"unit_ids": 999}, "no unit with id 999"),
        ({"feature": "colour"}, "feature must be one of"),
        ({"spike_indices": [3, 2]}, "sorted"),
        ({"spike_indices": [0, 10_000]}, "outside the"),
        ({"spike_features_uri": None}, "needs spike_features_uri"),
    ],
)
def test_bad_input_is_refused_with_what_to_fix(data, features_uri, unit_ids, change, message):
    task = {
        "sorting_uri": "sort",
        "unit_ids": unit_ids[0],
        "feature": "amplitudes",
        "polygon": rectangle(0, 1, 0, 1),
        "spike_features_uri": features_uri,
        **change,
    }
    with pytest.raises(HandlerInputError, match=message):
        run_handler(SPLIT, {k: v for k, v in task.items() if v is not None}, data)


def test_spike_features_of_another_sorting_are_refused(data, features_uri, unit_ids):
    task = {"sorting_uri": "sort2", "unit_ids": 0, "feature": "amplitudes", "polygon": rectangle(0, 1, 0, 1)}
    with pytest.raises(HandlerInputError, match="describe .* spikes but the sorting has"):
        run_handler(SPLIT, {**task, "spike_features_uri": features_uri}, data)


def test_pca_needs_the_recording(data, unit_ids):
    with pytest.raises(HandlerInputError, match="needs recording_uri"):
        run_handler(FEATURES, {"sorting_uri": "sort", "unit_ids": unit_ids[0], "feature": "pca"}, data)


@pytest.mark.slow
def test_merge_suggestions_find_a_unit_cut_in_two(tmp_path):
    recording, sorting = sc.generate_ground_truth_recording(
        durations=[20.0], num_units=4, num_channels=8, seed=11, generate_sorting_kwargs={"firing_rates": 25.0}
    )
    # unit 0's spikes dealt at random to two units: one neuron, which auto-merge should propose to merge
    train = sorting.get_unit_spike_train(sorting.unit_ids[0])
    side = np.random.default_rng(0).random(len(train)) < 0.5
    trains = {"a": train[side], "b": train[~side]}
    trains.update({str(u): sorting.get_unit_spike_train(u) for u in sorting.unit_ids[1:]})
    cut = sc.NumpySorting.from_unit_dict([trains], sorting.sampling_frequency)
    data = DictDataSource({"rec": recording, "sort": cut})
    task = {"recording_uri": "rec", "sorting_uri": "sort", "preset": "x_contaminations"}
    result = run_handler("sortingview.merge_suggestions.1", task, data).data
    assert result["preset"] == "x_contaminations" and result["groups"] == [["a", "b"]]
    assert sorted(result["unitIds"]) == sorted(trains)
    with pytest.raises(HandlerInputError, match="preset must be one of"):
        run_handler(
            "sortingview.merge_suggestions.1", {"recording_uri": "rec", "sorting_uri": "sort", "preset": "x"}, data
        )
    with pytest.raises(HandlerInputError, match="at least 2 units"):
        run_handler(
            "sortingview.merge_suggestions.1", {"recording_uri": "rec", "sorting_uri": "sort", "unit_ids": ["a"]}, data
        )
