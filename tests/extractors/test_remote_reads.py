"""Opening a shared recording from another machine: lazily over HTTP, cached, hash-checked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import spikeinterface.core as sc
from http_store_server import serve_store

import spikeinterface_sortingview as sv
from spikeinterface_sortingview.store import (
    CorruptFileError,
    FileNotInStoreError,
    HttpSource,
    LocalStore,
    RemoteStore,
    SourceUnreachableError,
    parse_uri,
)


@pytest.fixture
def owner(store, float_recording, ground_truth):
    """The machine that shared: its store holds a copied recording, and a sorting."""
    return {
        "store": store,
        "recording_uri": sv.share_recording(float_recording, chunk_duration="0.25s"),
        "sorting_uri": sv.share_sorting(ground_truth[1]),
    }


def hashes(*uris: str) -> set[str]:
    return {parse_uri(uri)[0] for uri in uris}


def test_a_small_window_fetches_only_the_chunks_it_touches(owner, float_recording, tmp_path, use_store):
    manifest = owner["store"].load_json(owner["recording_uri"])
    with serve_store(owner["store"]) as server:
        colleague = use_store(tmp_path / "colleague")
        recording = sv.load_recording(owner["recording_uri"], source_url=server.url)
        assert dict(server.requests) == {parse_uri(owner["recording_uri"])[0]: 1}  # the manifest only

        window = recording.get_traces(segment_index=1, start_frame=2400, end_frame=2600)  # chunks 0 and 1

        np.testing.assert_array_equal(
            window, float_recording.get_traces(segment_index=1, start_frame=2400, end_frame=2600)
        )
        chunks = manifest["segments"][1]["chunks"]
        assert set(server.requests) - hashes(owner["recording_uri"]) == hashes(chunks[0], chunks[1])
        assert all(count == 1 for count in server.requests.values())
        assert colleague.has(chunks[0]) and not colleague.has(chunks[2])

        # read again, and from a new extractor: served by the local cache
        server.requests.clear()
        recording.get_traces(segment_index=1, start_frame=2400, end_frame=2600)
        sv.load_recording(owner["recording_uri"], source_url=server.url).get_traces(
            segment_index=1, start_frame=2450, end_frame=2550
        )
        assert not server.requests


def test_registered_recording_is_read_by_ranges_of_its_file(store, tmp_path, float_recording, use_store):
    binary = float_recording.save(folder=tmp_path / "binary", format="binary", verbose=False, progress_bar=False)
    uri = sv.share_recording(binary, chunk_duration="0.5s")
    file_hash = parse_uri(store.load_json(uri)["segments"][0]["file"]["uri"])[0]
    with serve_store(store) as server:
        use_store(tmp_path / "colleague")
        recording = sv.load_recording(uri, source_url=server.url)
        window = recording.get_traces(segment_index=0, start_frame=5100, end_frame=5200)
        np.testing.assert_array_equal(window, binary.get_traces(segment_index=0, start_frame=5100, end_frame=5200))
        assert server.requests[file_hash] == 1  # one range of the registered file, hash-checked as a chunk


def test_environment_variable_names_the_source(owner, float_recording, tmp_path, use_store, monkeypatch):
    with serve_store(owner["store"]) as server:
        use_store(tmp_path / "colleague")
        monkeypatch.setenv("SORTINGVIEW_REMOTE", server.url)
        recording = sv.load_recording(owner["recording_uri"])
        assert recording.to_dict()["kwargs"]["source_url"] is None
        np.testing.assert_array_equal(
            recording.get_traces(segment_index=0, end_frame=100),
            float_recording.get_traces(segment_index=0, end_frame=100),
        )
        sorting = sv.load_sorting(owner["sorting_uri"])
        assert sorting.get_num_units() == 6


def test_corrupt_chunk_is_refused_and_not_cached(owner, tmp_path, use_store):
    chunk = owner["store"].load_json(owner["recording_uri"])["segments"][0]["chunks"][3]
    with serve_store(owner["store"]) as server:
        colleague = use_store(tmp_path / "colleague")
        recording = sv.load_recording(owner["recording_uri"], source_url=server.url)
        server.corrupt.add(parse_uri(chunk)[0])
        with pytest.raises(CorruptFileError, match="nothing was cached"):
            recording.get_traces(segment_index=0, start_frame=7600, end_frame=7700)
        assert not colleague.has(chunk)
        assert not list(colleague.directory.rglob("*.part"))


def test_missing_chunk_names_its_uri_and_where_it_was_looked_for(owner, tmp_path, use_store):
    chunk = owner["store"].load_json(owner["recording_uri"])["segments"][0]["chunks"][1]
    recording = sv.load_recording(owner["recording_uri"])
    owner["store"].path(chunk).unlink()
    with serve_store(owner["store"]) as server:
        remote = sv.load_recording(owner["recording_uri"], source_url=server.url)
        for extractor, place, fix in (
            (recording, str(owner["store"].directory), "source_url="),
            (remote, server.url, "404"),
        ):
            with pytest.raises(FileNotInStoreError) as error:
                extractor.get_traces(segment_index=0, start_frame=2600, end_frame=2700)
            message = str(error.value)
            assert chunk in message and "chunk 1 of segment 0" in message
            assert place in message and fix in message


def test_unknown_manifest_without_source_says_so(store):
    with pytest.raises(FileNotInStoreError, match="no HTTP source configured"):
        sv.load_recording("sha1://" + "0" * 40)


def test_unreachable_source_is_reported(owner, tmp_path, use_store):
    use_store(tmp_path / "colleague")
    with pytest.raises(FileNotInStoreError, match="Cannot reach http://127.0.0.1:9"):
        sv.load_recording(owner["recording_uri"], source_url="http://127.0.0.1:9")


def test_remote_store_fetches_checks_and_caches(store, tmp_path):
    data = os.urandom(100_000)
    uri = store.store_bytes(data)
    with serve_store(store) as server:
        remote = RemoteStore(LocalStore(tmp_path / "cache"), [server.url])
        assert remote.load_bytes(uri, 10, 20) == data[10:20]
        assert remote.local.path(uri).read_bytes() == data
        assert HttpSource(server.url).fetch(uri, 5, 9) == data[5:9]
        with pytest.raises(FileNotInStoreError, match="HTTP 404"):
            HttpSource(server.url).fetch("sha1://" + "1" * 40)
    with pytest.raises(SourceUnreachableError):
        HttpSource(server.url, timeout=2).fetch(uri)


def test_second_process_reads_over_http(owner, float_recording, tmp_path):
    """A colleague's process: empty store, only the runner's address and the URIs."""
    script = textwrap.dedent(
        """
        import json, sys
        import numpy as np
        import spikeinterface_sortingview as sv
        rec = sv.load_recording(sys.argv[1])
        sorting = sv.load_sorting(sys.argv[2])
        traces = rec.get_traces(segment_index=1, start_frame=1000, end_frame=3000)
        np.save(sys.argv[3], traces)
        print(json.dumps({"units": [str(u) for u in sorting.unit_ids], "spikes": int(sorting.to_spike_vector().size)}))
        """
    )
    with serve_store(owner["store"]) as server:
        env = dict(os.environ, SORTINGVIEW_STORE_DIR=str(tmp_path / "colleague"), SORTINGVIEW_REMOTE=server.url)
        out = tmp_path / "window.npy"
        result = subprocess.run(
            [sys.executable, "-c", script, owner["recording_uri"], owner["sorting_uri"], str(out)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 0, result.stderr
    np.testing.assert_array_equal(
        np.load(out), float_recording.get_traces(segment_index=1, start_frame=1000, end_frame=3000)
    )
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["spikes"] > 0 and len(summary["units"]) == 6


def test_sorting_registered_in_place_is_fetched_whole_and_checked(store, tmp_path, ground_truth, use_store):
    _, sorting = ground_truth
    path = tmp_path / "sorting.npz"
    sc.NpzSortingExtractor.write_sorting(sorting, path)
    uri = sv.share_sorting(sc.NpzSortingExtractor(path), in_place=True)
    npz_uri = store.load_json(uri)["npz_uri"]
    with serve_store(store) as server:
        colleague = use_store(tmp_path / "colleague")
        loaded = sv.load_sorting(uri, source_url=server.url)
        np.testing.assert_array_equal(loaded.to_spike_vector(), sorting.to_spike_vector())
        assert colleague.path(npz_uri).read_bytes() == path.read_bytes()
