"""The runner's home page in Chromium: 300 sortings in three workspaces, filtered by text, a figure opened from it."""

from __future__ import annotations

import json
import time

import httpx
import pytest
import spikeinterface.core as sc

import spikeinterface_sortingview as sv
from runner.handlers.curation import CurationJournal
from spikeinterface_sortingview.curation import JOURNAL_FOLDER, journal_name_for_sorting
from spikeinterface_sortingview.store import default_store
from tests.browser_support import ARTIFACTS
from tests.servers import wait_for_ray

SORTINGS_PER_RECORDING = 50


@pytest.fixture
def lab_store(runner_config, monkeypatch):
    """Three workspaces of two recordings, each with 50 sortings, in the store of the session's runner."""
    for name, value in runner_config.items():
        monkeypatch.setenv(name, value)
    recording, sorting = sc.generate_ground_truth_recording(
        durations=[5.0], sampling_frequency=30_000.0, num_channels=8, num_units=4, seed=5
    )
    sorting_uri = None
    made = {}
    for workspace_label in ("mouse A", "mouse B", "rat C"):
        W = sv.create_workspace(label=workspace_label)
        for session in ("day 1", "day 2"):
            rid = W.add_recording(label=f"{workspace_label} {session}", recording=recording)
            for i in range(SORTINGS_PER_RECORDING):
                sid = W.add_sorting(recording_id=rid, label=f"kilosort4 run {i}", sorting=sorting_uri or sorting)
                sorting_uri = sorting_uri or W.get_sorting_record(sid)["uri"]
        made[workspace_label] = (W, rid)
    return made


@pytest.mark.slow
def test_home_page_filters_300_sortings_and_opens_a_figure(page, runner, lab_store):
    W, rid = lab_store["rat C"]
    wait_for_ray(runner)  # the runner computes the summary below; on a loaded machine Ray's first start may time out
    # one sorting with its own spikes (a curated one, with a summary figure)
    recording = W.get_recording_extractor(rid)
    _, own = sc.generate_ground_truth_recording(
        durations=[5.0], sampling_frequency=30_000.0, num_channels=8, num_units=4, seed=6
    )
    sid = W.add_sorting(recording_id=rid, label="mountainsort5 curated", sorting=own)
    assert recording.get_num_channels() == 8
    W.spikesortingview(recording_id=rid, sorting_id=sid, label="rat C summary")
    folder = default_store().directory / JOURNAL_FOLDER
    folder.mkdir(exist_ok=True)
    journal = CurationJournal(folder / f"{journal_name_for_sorting(W.get_sorting_record(sid)['uri'])}.jsonl")
    for unit in ("0", "1", "2"):
        journal.append({"type": "ADD_UNIT_LABEL", "unitId": unit, "label": "accept"}, who="alice")

    size = len(httpx.get(f"{runner}/", timeout=60).content)
    started = time.monotonic()
    page.goto(f"{runner}/")
    page.locator("#shown").wait_for()
    loaded = time.monotonic() - started
    total = page.locator("tr.sorting").count()
    assert total >= 301 and page.locator("#shown").inner_text() == f"{total} sortings"
    page.screenshot(path=str(ARTIFACTS / "browser" / "home_page_1400x900.png"))

    started = time.monotonic()
    page.locator("#filter").fill("curated")
    page.wait_for_function("() => document.getElementById('shown').textContent.startsWith('1 of')")
    filtered = time.monotonic() - started
    visible = page.locator("tr.sorting:visible")
    assert visible.count() == 1 and "3 actions (last by alice" in visible.inner_text()
    assert page.locator("section.workspace:visible h2").inner_text().startswith("rat C")
    assert "q=curated" in page.url  # a reload or a shared link keeps the filter
    page.screenshot(path=str(ARTIFACTS / "browser" / "home_page_curated_1400x900.png"))

    # a workspace label shows the whole workspace; a recording label all its sortings
    page.locator("#filter").fill("mouse b")
    assert page.locator("tr.sorting:visible").count() == 2 * SORTINGS_PER_RECORDING
    page.locator("#filter").fill("rat c day 1")
    assert page.locator("tr.sorting:visible").count() == SORTINGS_PER_RECORDING
    page.locator("#filter").fill("no such thing")
    assert page.locator("section.workspace:visible").count() == 0

    page.set_viewport_size({"width": 1920, "height": 1080})
    page.locator("#filter").fill("rat C")
    page.screenshot(path=str(ARTIFACTS / "browser" / "home_page_filtered_1920x1080.png"))

    page.locator("a[data-figure]", has_text="rat C summary").click()
    page.wait_for_url("**/f?d=sha1://*")
    frame = page.frame_locator("iframe")
    # the runner computes the summary (W.spikesortingview above only asked it to)
    frame.locator('table[data-testid="units-table"]').wait_for(timeout=300_000)
    assert page.title() == "rat C summary"
    # the figure reads the journal the home page counted: its three labels show
    frame.locator('[data-testid="curation-runner-status"][data-state="saved"]').wait_for(timeout=240_000)
    assert frame.locator('table[data-testid="units-table"]').inner_text().count("accept") == 3
    (ARTIFACTS / "browser" / "home_page_numbers.json").write_text(
        json.dumps({"sortings": total, "page_bytes": size, "load_s": loaded, "filter_s": filtered}, indent=1)
    )
    print(f"home page: {total} sortings, {size} bytes, loaded in {loaded:.2f} s, filtered in {filtered:.3f} s")
