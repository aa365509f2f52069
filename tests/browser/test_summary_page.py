"""In Chromium: the home page's "open summary" starts the runner's summary job; the page shows its progress, then
the summary; opened again, the summary comes from the runner's cache."""

from __future__ import annotations

import json
import time

import pytest
import spikeinterface.core as sc

import spikeinterface_sortingview as sv
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
def test_open_summary_shows_progress_then_the_summary_then_opens_from_the_cache(page, runner, summary_workspace):
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
    frame.locator(".summary-steps li").first.wait_for(timeout=120_000)
    page.screenshot(path=str(ARTIFACTS / "browser" / "summary_progress_1400x900.png"))
    assert "random_spikes" in progress.inner_text() and "quality_metrics" in progress.inner_text()

    started = time.monotonic()
    frame.locator('table[data-testid="units-table"]').wait_for(timeout=300_000)
    computed = time.monotonic() - started
    assert frame.locator('table[data-testid="units-table"] tbody tr').count() == 10
    page.screenshot(path=str(ARTIFACTS / "browser" / "summary_rendered_1400x900.png"))
    assert page.errors.uncaught == []

    # recorded in the workspace, listed under the sorting on the home page
    (figure_id,) = W.figure_ids
    assert W.get_figure_record(figure_id)["sorting_id"] == sid
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
