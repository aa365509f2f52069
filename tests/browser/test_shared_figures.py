"""Figures opened away from the machine that made them, in Chromium: a static export served by a plain web server
(no runner), and a figure published to a second runner that asks for a token and computes on its own Ray."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

import spikeinterface_sortingview as sv
from tests.browser.conftest import generated_analyzer
from tests.browser.test_live_views import CELL, select_and_merge, shoot, view
from tests.browser.test_viewer_pages import open_figure
from tests.runner.remote_runners import remote_runner, runner_environment
from tests.servers import find_free_port

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def machine_a(tmp_path_factory, viewer_dist):
    """Machine A: its store holds a sorting summary with curation; returns its environment and the figURL."""
    root = tmp_path_factory.mktemp("machine-a")
    env = runner_environment(root)
    analyzer = generated_analyzer(10.0, num_channels=8, num_units=5, seed=21, sparse=False)
    with pytest.MonkeyPatch.context() as patch:
        for name in ("SORTINGVIEW_HOME", "SORTINGVIEW_STORE_DIR", "SORTINGVIEW_CONFIG"):
            patch.setenv(name, env[name])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            widget = analyzer_summary(analyzer)
        sorting_uri = sv.share_sorting(analyzer.sorting)
    return {"env": env, "url": widget.url, "sorting_uri": sorting_uri, "units": [str(u) for u in analyzer.unit_ids]}


def analyzer_summary(analyzer):
    import spikeinterface.full as si

    return si.plot_sorting_summary(analyzer, backend="sortingview", curation=True, display=False, figlabel="summary")


@contextlib.contextmanager
def static_server(folder: Path) -> Iterator[str]:
    """``python -m http.server`` serving ``folder`` on loopback."""
    port = find_free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(url, timeout=0.5)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_static_export_renders_from_a_plain_web_server_under_a_sub_path(page, machine_a, tmp_path, monkeypatch):
    monkeypatch.setenv("SORTINGVIEW_STORE_DIR", machine_a["env"]["SORTINGVIEW_STORE_DIR"])
    report = sv.export_figure(machine_a["url"], tmp_path / "site" / "figures" / "summary")
    with static_server(tmp_path / "site") as server:
        page.set_viewport_size({"width": 1600, "height": 1000})
        frame = open_figure(page, f"{server}/figures/summary/")
        frame.locator('table[data-testid="units-table"]').wait_for()
        unit = machine_a["units"][1]
        frame.locator(f'table[data-testid="units-table"] tr[data-unit-id="{unit}"]').click()
        frame.locator('[data-testid="label-noise"]').click()
        # The curation lives in the URL; there is no journal, and the page says why.
        page.wait_for_function("() => (new URL(location.href).searchParams.get('s') || '').includes('noise')")
        note = frame.locator('[data-testid="curation-runner-status"][data-state="unavailable"]')
        note.wait_for()
        assert "static copy" in note.get_attribute("title")
        frame.locator('[data-testid="save-curation"]').click()
        assert "static copy of the figure, with no runner" in frame.locator(".curation-error").inner_text()
        with page.expect_download() as download:
            frame.locator('[data-testid="export-curation"]').click()
        exported = json.loads(Path(download.value.path()).read_text())
        assert exported["labelsByUnit"][unit] == ["noise"]
        # A reload keeps the curation from the address.
        page.reload()
        frame = page.frame_locator("iframe")
        page.wait_for_function(
            """unit => { const d = document.querySelector('iframe')?.contentDocument
                 return d && d.querySelector(`tr[data-unit-id="${unit}"]`)?.innerText.includes('noise') }""",
            arg=unit,
            timeout=30_000,
        )
        shoot(page, "static_export.png")
    assert page.errors.uncaught == [] and page.errors.console == []
    assert report.bytes > 0


@pytest.mark.slow
@pytest.mark.ray
def test_a_figure_published_to_a_second_runner_renders_computes_and_curates_there(
    browser, machine_a, tmp_path, monkeypatch, viewer_dist, ray_address
):
    for name in ("SORTINGVIEW_HOME", "SORTINGVIEW_STORE_DIR", "SORTINGVIEW_CONFIG"):
        monkeypatch.setenv(name, machine_a["env"][name])
    monkeypatch.setenv("SORTINGVIEW_VIEWER_DIR", str(viewer_dist))
    # A curator of runner B: her token opens the runner and lets her curate there (journal actions).
    curator = secrets.token_urlsafe(24)
    # runner B runs its workers on the session's Ray: a Ray of its own would take seconds to start
    with remote_runner(
        tmp_path / "b", args=("--ray-address", ray_address), config=f"curators:\n  alice: {curator}\n"
    ) as b:
        monkeypatch.setenv("SORTINGVIEW_TOKEN", b.token)
        url = sv.publish(machine_a["url"], to=b.url, include_recording=True)
        assert url.startswith(f"{b.url}/f?")

        # A fresh browser profile, given the token once in the address.
        context = browser.new_context(viewport={"width": 1600, "height": 1000})
        context.set_default_timeout(90_000)
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        try:
            frame = open_figure(page, f"{url}&token={curator}")
            assert "token" not in (parse_qs(urlsplit(page.url).query))  # not kept where the link is copied from
            a, c = machine_a["units"][:2]
            select_and_merge(frame, [a, c])
            # The merged unit's correlogram is computed by B (its Ray), from the sorting that travelled.
            merged = view(frame, "CrossCorrelograms").locator(f'{CELL}[data-state="runner"]')
            try:
                merged.first.wait_for(timeout=240_000)
                assert merged.first.inner_text().strip().startswith(f"{a}+{c} × {a}+{c}")
                frame.locator('[data-testid="curation-runner-status"][data-state="saved"]').wait_for(timeout=240_000)
            finally:
                shoot(page, "published_on_second_runner.png")
        finally:
            context.close()

        journal = "sorting-" + machine_a["sorting_uri"].removeprefix("sha1://")[:40]
        body = {
            "type": "serviceQueryRequest",
            "serviceName": "sortingview",
            "query": {"taskName": "sortingview.curation_state.1", "taskInput": {"journal": journal}},
        }
        reply = httpx.post(f"{b.url}/api", json=body, headers=b.headers(), timeout=120)
        state = json.loads(reply.content.split(b"\n", 1)[0])["result"]["curation"]
        assert [sorted(map(str, g)) for g in state["mergeGroups"]] == [sorted([a, c])]
        assert (b.store_dir / "curation_journals" / f"{journal}.jsonl").is_file()
    assert errors == []
    assert os.environ.get("SORTINGVIEW_TOKEN") == b.token
