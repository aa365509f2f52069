"""Publishing a figure from this machine's store to another runner (a second runner with its own home, store and
token stands for the other machine): only missing files travel, each checked on arrival; bad input is refused
clearly and leaves nothing under a hash name."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import warnings
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import numpy as np
import pytest

import spikeinterface_sortingview as sv
from spikeinterface_sortingview.sharing import PublishError, publish_figure
from spikeinterface_sortingview.store import LocalStore
from tests.runner.remote_runners import remote_runner, runner_environment
from tests.runner.test_full_disk import small_disk  # noqa: F401 (a fixture)


def stored_hashes(store_dir: Path) -> set[str]:
    return {p.name for p in (store_dir / "sha1").rglob("*") if p.is_file() and not p.name.startswith(".tmp-")}


@pytest.fixture(scope="module")
def summary(tmp_path_factory):
    """A sorting summary with curation in machine A's store: its figURL, its sorting's URI, A's environment."""
    import spikeinterface.full as si

    root = tmp_path_factory.mktemp("machine-a")
    env = runner_environment(root)
    recording, sorting = si.generate_ground_truth_recording(durations=[8.0], num_channels=8, num_units=5, seed=3)
    analyzer = si.create_sorting_analyzer(sorting, recording, sparse=False)
    analyzer.compute(
        ["random_spikes", "templates", "correlograms", "unit_locations", "spike_amplitudes", "template_similarity"],
        verbose=False,
    )
    with pytest.MonkeyPatch.context() as patch:
        for name in ("SORTINGVIEW_HOME", "SORTINGVIEW_STORE_DIR", "SORTINGVIEW_CONFIG"):
            patch.setenv(name, env[name])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the analyzer has no quality metrics; the summary says so
            widget = si.plot_sorting_summary(analyzer, backend="sortingview", curation=True, display=False)
        sorting_uri = sv.share_sorting(analyzer.sorting)
        recording_uri = sv.share_recording(recording)
    return {"url": widget.url, "sorting_uri": sorting_uri, "recording_uri": recording_uri, "env": env, "root": root}


@pytest.fixture
def machine_a(summary, monkeypatch):
    """This process as machine A: A's store and home, no token configured."""
    for name in ("SORTINGVIEW_HOME", "SORTINGVIEW_STORE_DIR", "SORTINGVIEW_CONFIG"):
        monkeypatch.setenv(name, summary["env"][name])
    for name in ("SORTINGVIEW_TOKEN", "SORTINGVIEW_REMOTE", "SORTINGVIEW_PUBLISH_TO", "SORTINGVIEW_ADDRESS"):
        monkeypatch.delenv(name, raising=False)
    return summary


def test_publish_copies_the_figure_and_its_sorting_once_and_returns_the_figurl_there(machine_a, tmp_path, monkeypatch):
    with remote_runner(tmp_path / "b") as b:
        monkeypatch.setenv("SORTINGVIEW_TOKEN", b.token)
        first = publish_figure(machine_a["url"], to=b.url)
        assert first.uploaded_files == first.files > 5 and first.uploaded_bytes == first.bytes
        # The figure's sorting travels with it (live correlograms of merges); its recording does not exist in it.
        sorting_manifest = machine_a["sorting_uri"].removeprefix("sha1://")
        assert sorting_manifest in stored_hashes(b.store_dir)
        assert stored_hashes(b.store_dir) == stored_hashes(b.store_dir) & stored_hashes(
            Path(machine_a["env"]["SORTINGVIEW_STORE_DIR"])
        )

        again = publish_figure(machine_a["url"], to=b.url)
        assert again.uploaded_files == 0 and again.uploaded_bytes == 0 and again.url == first.url

        query = parse_qs(urlsplit(first.url).query)
        assert first.url.startswith(f"{b.url}/f?") and query["v"] == [f"{b.url}/viewer"]
        assert query["d"] == parse_qs(urlsplit(machine_a["url"]).query)["d"]
        document = httpx.get(f"{b.url}/sha1/{query['d'][0].removeprefix('sha1://')}", headers=b.headers(), timeout=10)
        assert document.status_code == 200 and document.json()["type"] == "MainLayout"


def test_a_runner_behind_a_public_url_hands_out_figurls_with_it(machine_a, tmp_path, monkeypatch):
    public = "https://sortings.lab.example.org/sv"
    with remote_runner(tmp_path / "b", args=("--no-compute", "--public-url", public)) as b:
        monkeypatch.setenv("SORTINGVIEW_TOKEN", b.token)
        assert httpx.get(f"{b.url}/health", headers=b.headers(), timeout=5).json()["url"] == public
        url = sv.publish(machine_a["url"], to=b.url)
        assert url.startswith(f"{public}/f?v={public}/viewer&d=sha1://")


def test_a_state_curation_snapshot_travels_with_the_figure(machine_a, tmp_path, monkeypatch):
    snapshot = LocalStore(machine_a["env"]["SORTINGVIEW_STORE_DIR"]).store_json({"labelsByUnit": {"1": ["noise"]}})
    url = sv.figure_url(
        parse_qs(urlsplit(machine_a["url"]).query)["d"][0],
        label="curated",
        state={"sortingCuration": snapshot},
        address="http://127.0.0.1:1",
        view_url="http://127.0.0.1:1/viewer",
    )
    with remote_runner(tmp_path / "b", host="127.0.0.1") as b:
        published = sv.publish(url, to=b.url)
    assert snapshot.removeprefix("sha1://") in stored_hashes(b.store_dir)
    assert parse_qs(urlsplit(published).query)["s"] == parse_qs(urlsplit(url).query)["s"]


def test_a_recording_travels_only_when_asked(machine_a, tmp_path, monkeypatch):
    figure = sv.Figure(sv.views.EphysTraces("spikeinterface-sortingview/recording", machine_a["recording_uri"]))
    url = figure.url(label="traces")
    recording_manifest = machine_a["recording_uri"].removeprefix("sha1://")
    with remote_runner(tmp_path / "b", host="127.0.0.1") as b:
        with pytest.warns(UserWarning, match="live traces and waveforms are unavailable on"):
            report = publish_figure(url, to=b.url)
        assert report.left_out == [machine_a["recording_uri"]]
        assert recording_manifest not in stored_hashes(b.store_dir)
        # On that runner, opening the recording says why it is not there.
        monkeypatch.setenv("SORTINGVIEW_STORE_DIR", str(tmp_path / "empty"))
        with pytest.raises(FileNotFoundError, match="published without include_recording=True"):
            sv.load_recording(machine_a["recording_uri"], source_url=b.url)

        monkeypatch.setenv("SORTINGVIEW_STORE_DIR", machine_a["env"]["SORTINGVIEW_STORE_DIR"])
        report = publish_figure(url, to=b.url, include_recording=True)
        assert report.left_out == [] and recording_manifest in stored_hashes(b.store_dir)
        monkeypatch.setenv("SORTINGVIEW_STORE_DIR", str(tmp_path / "empty-2"))
        recording = sv.load_recording(machine_a["recording_uri"], source_url=b.url)
        assert recording.get_traces(start_frame=0, end_frame=100).shape == (100, 8)


def test_load_recording_from_a_runner_with_a_token_works_with_it_and_fails_clearly_without(
    machine_a, tmp_path, monkeypatch
):
    with remote_runner(tmp_path / "b") as b:
        monkeypatch.setenv("SORTINGVIEW_STORE_DIR", str(b.store_dir))
        import spikeinterface.full as si

        recording, _ = si.generate_ground_truth_recording(durations=[3.0], num_channels=4, num_units=2, seed=5)
        uri = sv.share_recording(recording)  # shared on B (its store)
        monkeypatch.setenv("SORTINGVIEW_STORE_DIR", str(tmp_path / "a-store"))

        with pytest.raises(PermissionError, match=f"The runner at {b.url} needs its token.*remotes:"):
            sv.load_recording(uri, source_url=b.url)
        config = tmp_path / "a-config.yaml"
        config.write_text(f"remotes:\n  {b.url}: wrong-token-0123456789\n")
        monkeypatch.setenv("SORTINGVIEW_CONFIG", str(config))
        with pytest.raises(PermissionError, match=f"refused the token of remotes: {b.url}"):
            sv.load_recording(uri, source_url=b.url)

        config.write_text(f"remotes:\n  {b.url}/: {b.token}\n")
        loaded = sv.load_recording(uri, source_url=b.url)
        np.testing.assert_array_equal(loaded.get_traces(), recording.get_traces())


def test_publish_errors_name_the_runner_and_the_fix(machine_a, tmp_path, monkeypatch, free_port):
    unreachable = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(PublishError, match=f"Cannot reach the runner at {unreachable}"):
        sv.publish(machine_a["url"], to=unreachable)
    with remote_runner(tmp_path / "b") as b:
        with pytest.raises(PublishError, match=f"The runner at {b.url} needs its token.*SORTINGVIEW_TOKEN"):
            sv.publish(machine_a["url"], to=b.url)
        monkeypatch.setenv("SORTINGVIEW_TOKEN", "not-the-token-0123456789")
        with pytest.raises(PublishError, match="refused the token of SORTINGVIEW_TOKEN"):
            sv.publish(machine_a["url"], to=b.url)
        assert stored_hashes(b.store_dir) == set()
        with pytest.raises(ValueError, match="not a figURL"):
            sv.publish("http://127.0.0.1:1/f?v=x", to=b.url)


def test_an_upload_whose_bytes_fail_their_hash_is_refused_and_nothing_is_kept(tmp_path):
    with remote_runner(tmp_path / "b", host="127.0.0.1") as b:
        good = b"the real bytes"
        sha1 = sv.store.sha1_hex(good)
        headers = {"Content-Type": "application/octet-stream"}
        refused = httpx.put(f"{b.url}/sha1/{sha1}", content=b"other bytes", headers=headers, timeout=10)
        assert refused.status_code == 400 and f"not to {sha1}; nothing was stored" in refused.text
        assert list((b.store_dir / "sha1").rglob("*")) == [] or stored_hashes(b.store_dir) == set()
        assert not [p for p in b.store_dir.rglob("*.part")]
        assert httpx.put(f"{b.url}/sha1/{sha1}", content=good, headers=headers, timeout=10).json()["size"] == len(good)
        assert httpx.get(f"{b.url}/sha1/{sha1}", timeout=10).content == good
        missing = httpx.post(f"{b.url}/sha1/missing", json={"sha1": [sha1, "0" * 40]}, timeout=10).json()
        assert missing == {"missing": ["0" * 40]}
        assert httpx.post(f"{b.url}/sha1/missing", json={"sha1": ["nothex"]}, timeout=10).status_code == 400
        assert (
            httpx.put(f"{b.url}/sha1/{sha1}", content=good, headers={"Content-Type": "text/plain"}).status_code == 415
        )


@pytest.mark.slow
def test_an_interrupted_publish_completes_when_run_again(machine_a, tmp_path, monkeypatch):
    import spikeinterface.full as si

    # Big enough that the publish is still sending when it is killed: 60 chunks of 1 s x 64 channels of int16.
    recording, _ = si.generate_ground_truth_recording(durations=[60.0], num_channels=64, num_units=4, seed=9)
    recording = recording.astype("int16")
    recording_uri = sv.share_recording(recording)
    url = sv.Figure(sv.views.EphysTraces("spikeinterface-sortingview/recording", recording_uri)).url(label="big")
    with remote_runner(tmp_path / "b") as b:
        env = {**os.environ, "SORTINGVIEW_TOKEN": b.token}
        command = [sys.executable, "-m", "runner.cli", "publish", url, "--to", b.url, "--include-recording"]
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while len(stored_hashes(b.store_dir)) < 5 and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.002)
        process.kill()
        process.wait(timeout=10)
        sent = stored_hashes(b.store_dir)
        assert 5 <= len(sent), "the publish ended before it could be interrupted"
        monkeypatch.setenv("SORTINGVIEW_TOKEN", b.token)
        report = publish_figure(url, to=b.url, include_recording=True)
        assert 0 < report.uploaded_files <= report.files - len(sent)
        assert publish_figure(url, to=b.url, include_recording=True).uploaded_files == 0
        # Every file there is whole: B serves each one checked against its hash.
        for sha1 in stored_hashes(b.store_dir):
            assert httpx.head(f"{b.url}/sha1/{sha1}", headers=b.headers(), timeout=10).status_code == 200


def test_an_upload_to_a_full_remote_is_refused_and_the_runner_keeps_serving(small_disk, tmp_path):  # noqa: F811
    store = LocalStore(small_disk / "store")
    with remote_runner(
        tmp_path / "b", host="127.0.0.1", args=("--no-compute", "--store-dir", str(store.directory))
    ) as b:
        url = b.url
        headers = {"Content-Type": "application/octet-stream"}
        small = os.urandom(256 * 1024)
        assert httpx.put(f"{url}/sha1/{sv.store.sha1_hex(small)}", content=small, headers=headers).status_code == 200
        big = os.urandom(3 * 1024 * 1024)
        answer = httpx.put(f"{url}/sha1/{sv.store.sha1_hex(big)}", content=big, headers=headers, timeout=30)
        assert answer.status_code == 507 and "is full" in answer.text and "nothing was stored" in answer.text
        assert stored_hashes(store.directory) == {sv.store.sha1_hex(small)}
        assert not list(store.directory.rglob("*.part"))
        assert httpx.get(f"{url}/sha1/{sv.store.sha1_hex(small)}", timeout=10).content == small

        # Publishing there says why it failed; what it sent before is kept, whole.
        local = LocalStore(tmp_path / "a-store")
        document = local.store_json({"type": "Markdown", "source": "x" * (3 * 1024 * 1024)})
        with pytest.raises(PublishError, match=r"HTTP 507\): the store at .* is full"):
            publish_figure(document, to=url, store=local)
        assert stored_hashes(store.directory) == {sv.store.sha1_hex(small)}
        assert httpx.get(f"{url}/health", timeout=10).status_code == 200


def test_a_plot_with_publish_to_returns_the_figurl_on_that_runner(machine_a, tmp_path, monkeypatch):
    import spikeinterface.full as si

    _, sorting = si.generate_ground_truth_recording(durations=[3.0], num_channels=4, num_units=3, seed=2)
    with remote_runner(tmp_path / "b") as b:
        monkeypatch.setenv("SORTINGVIEW_TOKEN", b.token)
        widget = si.plot_rasters(sorting, backend="sortingview", publish_to=b.url, display=False)
        assert widget.url.startswith(f"{b.url}/f?")
        monkeypatch.setenv("SORTINGVIEW_PUBLISH_TO", b.url)  # the configuration's default, for every plot
        widget = si.plot_rasters(sorting, backend="sortingview", display=False)
        assert widget.url.startswith(f"{b.url}/f?")
        document = parse_qs(urlsplit(widget.url).query)["d"][0].removeprefix("sha1://")
        assert document in stored_hashes(b.store_dir)


@pytest.mark.slow
@pytest.mark.ray
def test_live_traces_of_a_figure_published_without_its_recording_say_why_on_the_remote(
    machine_a, tmp_path, monkeypatch
):
    url = sv.Figure(sv.views.EphysTraces("spikeinterface-sortingview/recording", machine_a["recording_uri"])).url()
    with remote_runner(tmp_path / "b", args=("--num-cpus", "1")) as b:
        monkeypatch.setenv("SORTINGVIEW_TOKEN", b.token)
        with pytest.warns(UserWarning):
            sv.publish(url, to=b.url)
        body = {
            "type": "serviceQueryRequest",
            "serviceName": "sortingview",
            "query": {
                "taskName": "sortingview.traces_window.1",
                "taskInput": {
                    "recording_uri": machine_a["recording_uri"],
                    "segment_index": 0,
                    "start_frame": 0,
                    "end_frame": 100,
                },
                "timeout": 300,
            },
        }
        reply = httpx.post(f"{b.url}/api", json=body, headers=b.headers(), timeout=400)
        assert 400 <= reply.status_code < 500
        assert "published without include_recording=True" in reply.json()["errorMessage"]
        assert httpx.get(f"{b.url}/health", headers=b.headers(), timeout=10).status_code == 200
