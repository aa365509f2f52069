"""Ray workers of a runner reachable from the network read from it where others do, with its token."""

from __future__ import annotations

from runner.access import read_token
from runner.server import ServeOptions, make_compute


def test_workers_get_the_public_address_and_the_token_of_a_network_runner(tmp_path, monkeypatch):
    monkeypatch.setenv("SORTINGVIEW_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SORTINGVIEW_CONFIG", str(tmp_path / "no-config.yaml"))
    options = ServeOptions(
        host="0.0.0.0", port=8931, store_dir=tmp_path / "store", max_upload_bytes=1, public_url="https://sv.lab.org"
    )
    compute = make_compute(options, "http://127.0.0.1:8931")  # Ray is started on the first request only
    env = compute.executor.options.worker_env
    assert env["SORTINGVIEW_REMOTE"] == "https://sv.lab.org"
    assert env["SORTINGVIEW_TOKEN"] == read_token()


def test_workers_of_a_loopback_runner_get_no_token(tmp_path, monkeypatch):
    monkeypatch.setenv("SORTINGVIEW_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SORTINGVIEW_CONFIG", str(tmp_path / "no-config.yaml"))
    options = ServeOptions(host="127.0.0.1", port=8931, store_dir=tmp_path / "store", max_upload_bytes=1)
    env = make_compute(options, "http://127.0.0.1:8931").executor.options.worker_env
    assert env["SORTINGVIEW_REMOTE"] == "http://127.0.0.1:8931" and "SORTINGVIEW_TOKEN" not in env
