"""The handler table, the result type, and that every handler's answer encodes as figure JSON."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import runner.handlers
from runner.handlers import GROUPS, HANDLERS, HandlerInputError, HandlerResult, get_handler, run_handler
from spikeinterface_sortingview.views.encoding import from_json_value


def test_the_table_names_groups_and_kinds():
    expected = {
        "sortingview.correlograms.1": "correlograms",
        "spikesortingview.fetch_cross_correlogram.2": "correlograms",
        "sortingview.traces_window.1": "timeseries",
        "sortingview.spikes_window.1": "timeseries",
        "sortingview.average_waveforms.1": "waveforms",
        "sortingview.snippets.1": "extract_snippets",
        "sortingview.pca_features.1": "clusters",
        "sortingview.unit_metrics.1": "metrics",
        "sortingview.unit_features.1": "clusters",
        "sortingview.split_selection.1": "clusters",
        "sortingview.merge_suggestions.1": "metrics",
        "sortingview.spike_amplitudes.1": "misc",
        "sortingview.recording_info.1": "misc",
        "sortingview.sorting_info.1": "misc",
        "sortingview.curation_action.1": "misc",
        "sortingview.curation_state.1": "misc",
        "sortingview.run_sorter.1": "sorting",
        "sortingview.sorting_summary.1": "sorting",
    }
    assert {name: spec.group for name, spec in HANDLERS.items()} == expected
    # sorting jobs and summaries run as Ray tasks of their own, not on a handler group's workers
    assert {spec.group for spec in HANDLERS.values()} == {*GROUPS, "sorting"}
    actions = {name for name, spec in HANDLERS.items() if spec.kind == "action"}
    assert actions == {"sortingview.curation_action.1", "sortingview.curation_state.1"}
    assert all(spec.name == name and callable(spec.function) for name, spec in HANDLERS.items())


def test_unknown_task_is_an_input_error():
    with pytest.raises(HandlerInputError, match="unknown task 'sortingview.nope.1'; this runner handles"):
        get_handler("sortingview.nope.1")


def test_result_arrays_are_narrowed_to_figure_dtypes():
    result = HandlerResult(
        {"a": np.arange(3, dtype=np.int64), "b": [{"c": np.ones(2)}], "d": np.zeros(2, dtype=np.float32)}, payload=b"x"
    )
    assert result.data["a"].dtype == np.int32 and result.data["b"][0]["c"].dtype == np.float32
    assert result.data["d"].dtype == np.float32
    encoded = result.to_json()
    assert encoded["a"]["_type"] == "ndarray" and encoded["a"]["dtype"] == "int32"
    with pytest.raises(TypeError):
        HandlerResult({"e": np.zeros(2, dtype=np.complex64)})
    with pytest.raises(TypeError):
        HandlerResult({}, payload="text")


def test_an_array_payload_is_its_raw_bytes_without_a_copy():
    traces = np.arange(12, dtype=np.float32).reshape(4, 3)
    result = HandlerResult({"numSamples": 4}, payload=traces)
    view = result.payload_view()
    assert view.nbytes == 48 and np.shares_memory(np.frombuffer(view, np.float32), traces)
    assert result.payload_bytes() == traces.tobytes() == bytes(view)
    assert HandlerResult({}, payload=b"abc").payload_view().tobytes() == b"abc"
    assert HandlerResult({}).payload_view() is None and HandlerResult({}).payload_bytes() is None
    with pytest.raises(TypeError, match="C-contiguous"):
        HandlerResult({}, payload=traces.T)


def test_every_handler_answers_in_figure_json(data, unit_ids):
    pair = {"recording_uri": "rec", "sorting_uri": "sort"}
    inputs = {
        "sortingview.correlograms.1": {"sorting_uri": "sort", "unit_groups": [unit_ids[:2], unit_ids[2]]},
        "spikesortingview.fetch_cross_correlogram.2": {
            "data_uri": "sort",
            "unit_id1": unit_ids[0],
            "unit_id2": unit_ids[1],
        },
        "sortingview.traces_window.1": {"recording_uri": "rec", "start_frame": 0, "end_frame": 1000},
        "sortingview.spikes_window.1": {"sorting_uri": "sort", "start_frame": 0, "end_frame": 30000},
        "sortingview.average_waveforms.1": {**pair, "unit_ids": unit_ids[:2]},
        "sortingview.snippets.1": {**pair, "unit_ids": unit_ids[0], "max_spikes": 5},
        "sortingview.pca_features.1": {**pair, "unit_ids": unit_ids[:2]},
        "sortingview.unit_metrics.1": {**pair, "unit_ids": unit_ids[:2]},
        "sortingview.unit_features.1": {**pair, "unit_ids": unit_ids[0], "feature": "pca"},
        "sortingview.split_selection.1": {
            **pair,
            "unit_ids": unit_ids[0],
            "feature": "pca",
            "polygon": [[-1e6, -1e6], [0, -1e6], [0, 1e6]],
        },
        "sortingview.merge_suggestions.1": {**pair, "unit_ids": unit_ids[:3]},
        "sortingview.spike_amplitudes.1": {**pair, "unit_ids": unit_ids[:2]},
        "sortingview.recording_info.1": {"recording_uri": "rec"},
        "sortingview.sorting_info.1": {"sorting_uri": "sort"},
        "sortingview.curation_action.1": {"journal": "j", "action": {"type": "MERGE_UNITS", "unitIds": unit_ids[:2]}},
        "sortingview.curation_state.1": {"journal": "j"},
    }
    # a sorting job runs a sorter on a shared recording (tests/runner/sorting/); a summary writes a figure from
    # shared files (tests/workspace/test_summaries.py)
    assert set(inputs) == set(HANDLERS) - {"sortingview.run_sorter.1", "sortingview.sorting_summary.1"}
    for name, task_input in inputs.items():
        result = run_handler(name, task_input, data)
        text = json.dumps(result.to_json(), sort_keys=True, allow_nan=False)
        decoded = from_json_value(json.loads(text))
        for key, value in result.data.items():
            if isinstance(value, np.ndarray):
                np.testing.assert_array_equal(decoded[key], value)
                assert value.dtype.name in ("uint8", "int16", "uint16", "int32", "uint32", "float32")


def test_the_files_of_runner_handlers_are_its_task_modules():
    # runner/handlers/ holds the task modules and their registry only: what they are built from is in handler_io
    folder = Path(runner.handlers.__file__).parent
    files = {path.stem for path in folder.glob("*.py")} - {"__init__", "registry"}
    with_handlers = {spec.function.__module__.rpartition(".")[2] for spec in HANDLERS.values()}
    assert files == with_handlers
