"""Split tasks over real HTTP on a real Ray: a polygon applied to every spike of a unit, clear 400s for bad input."""

from __future__ import annotations

import httpx
import numpy as np
import pytest

from runner.task_results import calculation_job_id
from spikeinterface_sortingview.views import from_json_value
from spikeinterface_sortingview.widgets.common import display_precision
from spikeinterface_sortingview.widgets.spike_features import share_analyzer_spike_features
from tests.runner.compute.test_compute_api import service_query, split_reply

pytestmark = pytest.mark.ray

SPLIT = "sortingview.split_selection.1"


@pytest.fixture(scope="module")
def amplitudes(compute_runner):
    """The runner's sorting with an analyzer's spike amplitudes shared as spike features."""
    import spikeinterface.full as si

    analyzer = si.create_sorting_analyzer(compute_runner.sorting, compute_runner.recording, sparse=False)
    analyzer.compute(["random_spikes", "templates", "spike_amplitudes"], verbose=False)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SORTINGVIEW_STORE_DIR", str(compute_runner.store_dir))
        uri = share_analyzer_spike_features(analyzer)
    values = display_precision(analyzer.get_extension("spike_amplitudes").get_data())
    return uri, analyzer.sorting.to_spike_vector(), values


def test_a_split_over_http_names_every_spike_inside_the_polygon(compute_runner, amplitudes):
    uri, spikes, values = amplitudes
    unit = compute_runner.sorting.unit_ids[3].item()
    mask = spikes["unit_index"] == 3
    times = (spikes["sample_index"][mask] / compute_runner.sorting.sampling_frequency).astype("float32")
    cut = float(np.median(values[mask])) + 1e-4
    polygon = [[5.0, cut], [15.0, cut], [15.0, 1e6], [5.0, 1e6]]
    task = {"sorting_uri": compute_runner.sorting_uri, "unit_ids": unit, "feature": "amplitudes"}
    task.update(polygon=polygon, spike_features_uri=uri)
    response = service_query(compute_runner.url, SPLIT, task)
    assert response.status_code == 200, response.text
    result = from_json_value(split_reply(response.content)[0]["result"])
    expected = np.flatnonzero((times > 5) & (times < 15) & (values[mask] > cut))
    np.testing.assert_array_equal(result["indices"], expected)
    assert result["numSpikes"] == [len(expected), int(mask.sum()) - len(expected)]
    # a calculation: its result is cached under its job id
    cached = httpx.get(f"{compute_runner.url}/task_results/{SPLIT}/{calculation_job_id(SPLIT, task)}", timeout=30)
    assert cached.status_code == 200
    again = service_query(compute_runner.url, SPLIT, task)
    assert again.status_code == 200 and again.content == response.content


@pytest.mark.parametrize(
    "change, message",
    [
        ({"polygon": [[0, 0], [1, 1]]}, "at least 3"),
        ({"polygon": [[0, 0], [1, 1], [2, 2]]}, "zero area"),
        ({"unit_ids": "no-such-unit"}, "no unit with id"),
        ({"feature": "pca"}, "needs recording_uri"),
    ],
)
def test_bad_split_input_is_a_400_and_the_runner_keeps_serving(compute_runner, amplitudes, change, message):
    task = {
        "sorting_uri": compute_runner.sorting_uri,
        "unit_ids": compute_runner.sorting.unit_ids[0].item(),
        "feature": "amplitudes",
        "polygon": [[0, 0], [1, 0], [1, 1]],
        "spike_features_uri": amplitudes[0],
        **change,
    }
    response = service_query(compute_runner.url, SPLIT, task)
    assert response.status_code == 400 and message in response.json()["errorMessage"]
    info = {"sorting_uri": compute_runner.sorting_uri}
    assert service_query(compute_runner.url, "sortingview.sorting_info.1", info).status_code == 200
