"""In Chromium: the home page's "open summary" starts the runner's summary job; the page shows its progress, then
the summary; opened again, the summary comes from the runner's cache."""

from __future__ import annotations

import json
import time

import httpx
import pytest
import spikeinterface.core as sc

import spikeinterface_sortingview as sv
from spikeinterface_sortingview.store import LocalStore
from tests.browser_support import ARTIFACTS
from tests.servers import wait_for_ray


@pytest.fixture
def summary_workspace(runner_config, monkeypatch, tmp_path):
    """A workspace of a short binary recording (in place) and its ground truth, in the session runner's store.

    Long enough (30 s, 16 channels, 10 units) that its summary job lasts seconds even with a warm worker, so that
    the page's polling sees its steps."""
    for name, value in runner_config.items():
        monkeypatch.setenv(name, value)
    recording, sorting = sc.generate_ground_truth_recording(
        durations=[30.0], sampling_frequency=30_000.0, num_channels=16, num_units=10, seed=41
    )
    binary = recording.save(folder=tmp_path / "binary", format="binary", verbose=False, progress_bar=False)
    W = sv.create_workspace(label="summary button lab")
    rid = W.add_recording(label="tetrode day 3", recording=binary)
    sid = W.add_sorting(recording_id=rid, label="ks4 for the button", sorting=sorting)
    return W, rid, sid


@pytest.mark.slow
def test_open_summary_shows_progress_then_the_summary_then_opens_from_the_cache(
    page, runner, runner_config, summary_workspace
):
    W, rid, sid = summary_workspace
    wait_for_ray(runner)  # the job needs the runner's Ray; on a loaded machine its first start may time out
    page.goto(f"{runner}/?q=ks4 for the button")
    row = page.locator("tr.sorting:visible", has_text="ks4 for the button")
    assert row.count() == 1
    row.locator("button.summary", has_text="open summary").click()
    page.wait_for_url(lambda url: "/f?" in url and "d=sha1://" in url, wait_until="commit")
    frame = page.frame_locator("iframe")
    progress = frame.locator('[data-testid="summary-progress"]')
    progress.wait_for(timeout=60_000)
    assert "computing this sorting summary" in progress.inner_text()
    page.screenshot(path=str(ARTIFACTS / "browser" / "summary_progress_1400x900.png"))

    started = time.monotonic()
    frame.locator('table[data-testid="units-table"]').wait_for(timeout=300_000)
    computed = time.monotonic() - started
    assert frame.locator('table[data-testid="units-table"] tbody tr').count() == 10
    page.screenshot(path=str(ARTIFACTS / "browser" / "summary_rendered_1400x900.png"))
    assert page.errors.uncaught == []

    # recorded in the workspace, listed under the sorting on the home page
    (figure_id,) = W.figure_ids
    record = W.get_figure_record(figure_id)
    assert record["sorting_id"] == sid
    # the job went through its steps, one per extension (what the page's step list shows while it runs; a job
    # of seconds may end between two of the page's requests, so they are read from its result here)
    document = LocalStore(runner_config["SORTINGVIEW_STORE_DIR"]).load_json(record["uri"])
    query = {"taskName": document["taskName"], "taskInput": document["taskInput"]}
    reply = httpx.post(
        f"{runner}/api", json={"type": "serviceQueryRequest", "serviceName": "sortingview", "query": query}, timeout=60
    )
    steps = [s["step"] for s in json.loads(reply.content.split(b"\n", 1)[0])["result"]["steps"]]
    assert steps.index("random_spikes") < steps.index("templates") < steps.index("quality_metrics")
    # opened again: the runner answers from its cache, no progress in between
    started = time.monotonic()
    page.reload()
    frame = page.frame_locator("iframe")
    frame.locator('table[data-testid="units-table"]').wait_for(timeout=30_000)
    reopened = time.monotonic() - started
    assert reopened < 10
    (ARTIFACTS / "browser" / "summary_page_numbers.json").write_text(
        json.dumps({"after_progress_s": computed, "reopen_s": reopened}, indent=1)
    )
    print(f"summary page: rendered {computed:.1f} s after the first step showed; reopened in {reopened:.2f} s")
