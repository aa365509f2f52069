"""Bad input gets a clear error that names the fix."""

from __future__ import annotations

import numpy as np
import pytest
import spikeinterface.core as sc

import spikeinterface_sortingview as sv
from extractors import ManifestError, NotSerializableError
from spikeinterface_sortingview.store import HttpSource


def test_arrays_and_analyzers_are_not_extractors(store, ground_truth):
    recording, sorting = ground_truth
    with pytest.raises(TypeError, match=r"NumpyRecording\(traces, sampling_frequency\)"):
        sv.share_recording(np.zeros((100, 4)))
    analyzer = sc.create_sorting_analyzer(sorting, recording, sparse=False)
    with pytest.raises(TypeError, match=r"pass analyzer.recording"):
        sv.share_recording(analyzer)
    with pytest.raises(TypeError, match=r"pass analyzer.sorting"):
        sv.share_sorting(analyzer)
    with pytest.raises(TypeError, match="BaseSorting"):
        sv.share_sorting(recording)


def test_unpicklable_recording_with_worker_processes_names_the_fix(store):
    recording = sc.NumpyRecording([np.zeros((1000, 2), dtype="float32")], sampling_frequency=1000.0)
    with pytest.raises(ValueError, match=r"pool_engine='thread'.*recording.save\(folder=") as error:
        sv.share_recording(recording, n_jobs=2, pool_engine="process")
    assert "NumpyRecording cannot be pickled" in str(error.value)


def test_unknown_job_kwargs_are_named(store, float_recording):
    with pytest.raises(TypeError, match=r"Unknown job kwargs \['n_job'\]"):
        sv.share_recording(float_recording, n_job=2)


def test_property_that_cannot_be_stored_is_named(store):
    sorting = sc.generate_sorting(num_units=3, durations=[1.0], seed=0)
    sorting.set_property("model", np.array([object(), object(), object()], dtype=object))
    with pytest.raises(NotSerializableError, match=r"property 'model'.*delete_property\('model'\)"):
        sv.share_sorting(sorting)


def test_nan_traces_cannot_be_quantised(store):
    traces = np.ones((500, 2), dtype="float32")
    traces[10, 1] = np.nan
    recording = sc.NumpyRecording([traces], sampling_frequency=1000.0)
    with pytest.raises(ValueError, match="serialize_dtype=None or 'float32'"):
        sv.share_recording(recording, serialize_dtype="int16")


def test_uri_of_something_else_is_not_a_manifest(store, ground_truth):
    sorting_uri = sv.share_sorting(ground_truth[1])
    with pytest.raises(ManifestError, match="is not a spikeinterface-sortingview/recording manifest"):
        sv.load_recording(sorting_uri)
    binary_uri = store.store_bytes(b"\x00\xff binary")
    with pytest.raises(ManifestError, match="not JSON"):
        sv.load_sorting(binary_uri)
    with pytest.raises(ValueError, match="not a content URI"):
        sv.load_recording("/home/me/recording.json")


def test_source_url_must_be_http():
    with pytest.raises(ValueError, match="expected e.g. http://"):
        HttpSource("ftp://example.org")
