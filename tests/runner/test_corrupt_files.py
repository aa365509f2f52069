"""A corrupt store file is refused on every path out of the store: HTTP, the extractors and the handlers."""

from __future__ import annotations

import httpx
import numpy as np
import pytest
import spikeinterface.core as sc

import extractors
from runner.handlers import DataSource
from runner.handlers.misc import sorting_info
from spikeinterface_sortingview.store import CorruptFileError, FileNotInStoreError, LocalStore
from tests.store.test_integrity import DATA, flip_byte


@pytest.fixture(scope="module")
def generated():
    return sc.generate_ground_truth_recording(durations=[4.0], num_channels=4, num_units=3, seed=11)


def test_http_never_answers_with_bytes_that_fail_their_hash(runner_url: str, store: LocalStore):
    good = store.store_bytes(b"a good file").removeprefix("sha1://")
    bad = store.store_bytes(DATA).removeprefix("sha1://")
    flip_byte(store.path(f"sha1://{bad}"))
    for headers in ({}, {"Range": "bytes=0-9"}):
        response = httpx.get(f"{runner_url}/sha1/{bad}", headers=headers, timeout=10)
        assert response.status_code == 404
        assert "does not match its hash" in response.text or "not in the store" in response.text
        assert "immutable" not in response.headers.get("cache-control", "")
    assert store.quarantined()
    assert httpx.get(f"{runner_url}/sha1/{good}", timeout=10).content == b"a good file"


def test_http_refuses_a_file_corrupted_after_it_was_served(runner_url: str, store: LocalStore):
    sha1 = store.store_bytes(DATA).removeprefix("sha1://")
    assert httpx.get(f"{runner_url}/sha1/{sha1}", headers={"Range": "bytes=0-9"}, timeout=10).status_code == 206
    flip_byte(store.path(f"sha1://{sha1}"), offset=5000, keep_times=True)
    assert httpx.get(f"{runner_url}/sha1/{sha1}", headers={"Range": "bytes=0-9"}, timeout=10).status_code == 404


def test_a_recording_refuses_a_corrupt_chunk_even_after_reading_it(generated, store: LocalStore):
    recording, _ = generated
    uri = extractors.share_recording(recording, in_place=False)
    loaded = extractors.load_recording(uri)
    first = loaded.get_traces(start_frame=0, end_frame=100)
    np.testing.assert_array_equal(first, recording.get_traces(start_frame=0, end_frame=100))
    chunk_uri = store.load_json(uri)["segments"][0]["chunks"][0]
    flip_byte(store.path(chunk_uri), offset=8, keep_times=True)
    with pytest.raises(CorruptFileError, match="does not match its hash"):
        loaded.get_traces(start_frame=0, end_frame=100)
    with pytest.raises(FileNotInStoreError):  # quarantined: gone until stored again
        extractors.load_recording(uri).get_traces(start_frame=0, end_frame=100)


def test_a_handler_refuses_a_corrupt_spike_file_even_after_loading_it(generated, store: LocalStore):
    _, sorting = generated
    uri = extractors.share_sorting(sorting, in_place=False)
    data = DataSource()
    assert sorting_info({"sorting_uri": uri}, data).data["numSpikes"] == sorting.to_spike_vector().size
    spikes_uri = store.load_json(uri)["spike_trains"]["deltas_uri"]
    flip_byte(store.path(spikes_uri), offset=store.path(spikes_uri).stat().st_size - 20)
    with pytest.raises(CorruptFileError):
        sorting_info({"sorting_uri": uri}, data)
    with pytest.raises(Exception, match="not in the store|cannot load the sorting"):
        sorting_info({"sorting_uri": uri}, DataSource())
