"""Unit metrics agree with SpikeInterface's quality metrics on the same data."""

from __future__ import annotations

import numpy as np
import pytest
import spikeinterface.core as sc
from spikeinterface.metrics.quality import compute_isi_violations, compute_snrs

from runner.handlers import DictDataSource, run_handler

TASK = "sortingview.unit_metrics.1"


@pytest.fixture(scope="module")
def analyzer(ground_truth):
    recording, sorting = ground_truth
    analyzer = sc.create_sorting_analyzer(sorting, recording, sparse=False, format="memory")
    analyzer.compute(
        {"random_spikes": {"max_spikes_per_unit": 1000, "seed": 0}, "templates": {}, "noise_levels": {}}, verbose=False
    )
    return analyzer


def test_metrics_match_spikeinterface(data, ground_truth, analyzer):
    recording, sorting = ground_truth
    result = run_handler(TASK, {"recording_uri": "rec", "sorting_uri": "sort", "max_spikes": 1000}, data).data
    assert [c["key"] for c in result["columns"]] == [
        "numSpikes",
        "firingRate",
        "isiViolationRate",
        "isiViolations",
        "snr",
        "peakChannelId",
    ]
    isi = compute_isi_violations(analyzer, isi_threshold_ms=1.5)
    snrs = compute_snrs(analyzer)
    templates = analyzer.get_extension("templates").get_data(operator="average")  # (units, samples, channels)
    extremum = dict(zip(sorting.unit_ids, recording.channel_ids[templates.min(axis=1).argmin(axis=1)], strict=True))
    for row in result["rows"]:
        unit, values = row["unitId"], row["values"]
        num_spikes = len(sorting.get_unit_spike_train(unit))
        assert values["numSpikes"] == num_spikes
        assert values["firingRate"] == pytest.approx(num_spikes / 10.0)
        assert values["isiViolations"] == isi.isi_violations_count[unit]
        assert values["isiViolationRate"] == pytest.approx(values["isiViolations"] / (num_spikes - 1))
        assert values["peakChannelId"] == str(extremum[unit])
        # same templates; the noise is estimated on different random chunks
        assert values["snr"] == pytest.approx(snrs[unit], rel=0.1)


def test_isi_violations_are_counted_below_the_refractory_period():
    frames = np.array([0, 10, 100, 114, 115, 1000])  # at 10 kHz: ISIs 1.0, 9.0, 1.4, 0.1, 88.5 ms
    recording = sc.NumpyRecording([np.random.default_rng(0).normal(size=(20_000, 2)).astype(np.float32)], 10000.0)
    data = DictDataSource({"r": recording, "s": sc.NumpySorting.from_unit_dict({5: frames + 100}, 10000.0)})
    values = run_handler(TASK, {"recording_uri": "r", "sorting_uri": "s", "unit_ids": [5]}, data).data["rows"][0][
        "values"
    ]
    assert values["isiViolations"] == 3 and values["isiViolationRate"] == pytest.approx(3 / 5)
    values = run_handler(TASK, {"recording_uri": "r", "sorting_uri": "s", "refractory_ms": 0.5}, data).data["rows"][0][
        "values"
    ]
    assert values["isiViolations"] == 1


def test_a_unit_without_spikes_leaves_its_missing_values_out():
    recording = sc.NumpyRecording([np.zeros((5000, 2), dtype=np.float32) + 1], 10000.0)
    sorting = sc.NumpySorting.from_unit_dict({1: np.array([], dtype=np.int64), 2: np.array([2000])}, 10000.0)
    data = DictDataSource({"r": recording, "s": sorting})
    result = run_handler(TASK, {"recording_uri": "r", "sorting_uri": "s"}, data)
    rows = {row["unitId"]: row["values"] for row in result.data["rows"]}
    assert rows[1] == {"numSpikes": 0, "firingRate": 0.0, "isiViolations": 0}
    assert "isiViolationRate" not in rows[2] and "snr" not in rows[2]  # one spike: no interval; zero noise: no SNR
    result.to_json()  # no NaN anywhere
