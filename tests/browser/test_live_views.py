"""Views that ask the runner for what a figure lacks, opened in Chromium from a real ``sv-runner`` with compute.

Merged units (a curation's merge groups) are shown as one unit whose correlograms and waveform come from the
runner; pairs a figure left out are filled in; the curation is kept in the runner's journal for the sorting;
raw traces are read window by window. Without compute the same views say so instead of going blank.

The viewer's hooks used here: grid cells carry ``data-unit-id`` ("3+7" for a merged unit) and ``data-state``
(``figure``, ``runner``, ``loading``, ``unavailable``, ...); ``data-testid="compute-error"`` holds a readable
error; the traces view (``data-testid="ephys-traces"``) exposes ``data-loaded-window`` (segment:start-end
frames), ``data-gain``, ``data-bandpass``, ``data-spikes`` and ``data-rows``. Screenshots at 1600x1000 go to
test-artifacts/browser/.
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.browser.test_viewer_pages import drawn_fraction, open_figure
from tests.browser_support import ARTIFACTS, runner_environment, undo_in_journal
from tests.servers import sv_runner_process

pytestmark = pytest.mark.browser

SHOTS = ARTIFACTS / "browser"
CELL = ".plot-grid-cell"


@dataclass
class LiveFigures:
    """figURLs of this module's own data (its own sorting, so its own curation journal)."""

    units: list
    recording_uri: str
    sorting_uri: str
    live: str
    traces: str


@pytest.fixture(scope="module")
def live_figures(runner_config: dict[str, str], runner: str) -> LiveFigures:
    """A figure with the live views (table, curation, correlograms, waveforms) and a traces figure."""
    import spikeinterface.full as si

    import spikeinterface_sortingview as sv
    from spikeinterface_sortingview import views

    recording, sorting = si.generate_ground_truth_recording(durations=[12.0], num_channels=8, num_units=5, seed=11)
    analyzer = si.create_sorting_analyzer(sorting, recording, sparse=False)
    analyzer.compute(["random_spikes", "templates", "correlograms"], verbose=False)
    unit_ids = list(analyzer.unit_ids)
    ccgs, bins = analyzer.get_extension("correlograms").get_data()
    edges = (bins / 1000.0).astype("float32")
    templates = analyzer.get_extension("templates").get_templates(operator="average")
    with runner_environment(runner_config):
        recording_uri = sv.share_recording(recording)
        sorting_uri = sv.share_sorting(sorting)
        autos = [views.AutocorrelogramItem(u, edges, ccgs[i, i].astype("int32")) for i, u in enumerate(unit_ids)]
        # Only the units' own correlograms: every pair of units is left for the runner to fill in.
        crosses = [views.CrossCorrelogramItem(u, u, edges, ccgs[i, i].astype("int32")) for i, u in enumerate(unit_ids)]
        waveforms = [
            views.AverageWaveformItem(u, list(recording.channel_ids), templates[i].T) for i, u in enumerate(unit_ids)
        ]
        table = views.UnitsTable(
            [views.UnitsTableColumn("n", "spikes", "int")],
            [
                views.UnitsTableRow(u, {"n": int(n)})
                for u, n in zip(unit_ids, sorting.count_num_spikes_per_unit().values(), strict=True)
            ],
        )
        left = views.Box(
            "vertical",
            [
                views.LayoutItem(table, stretch=2),
                views.LayoutItem(views.SortingCuration2(sorting_uri=sorting_uri), max_size=260),
            ],
        )
        right = views.Box(
            "vertical",
            [
                views.CrossCorrelograms(crosses, hide_unit_selector=True, sorting_uri=sorting_uri),
                views.Autocorrelograms(autos, sorting_uri=sorting_uri),
                views.AverageWaveforms(
                    waveforms,
                    channel_ids=list(recording.channel_ids),
                    channel_locations=recording.get_channel_locations(),
                    sorting_uri=sorting_uri,
                    recording_uri=recording_uri,
                ),
            ],
        )
        live = sv.Figure(
            views.Splitter("horizontal", views.LayoutItem(left, max_size=420), views.LayoutItem(right, stretch=3))
        ).url(label="live views")
        traces = sv.Figure(
            views.EphysTraces("spikeinterface-sortingview/recording", recording_uri, sorting_uri=sorting_uri)
        ).url(label="traces")
    return LiveFigures(unit_ids, recording_uri, sorting_uri, live, traces)


def view(frame, view_type: str):
    return frame.locator(f'[data-view-type="{view_type}"]')


def select_and_merge(frame, units: list) -> None:
    rows = 'table[data-testid="units-table"]'
    frame.locator(f'{rows} tr[data-unit-id="{units[0]}"]').click()
    for unit in units[1:]:
        frame.locator(f'{rows} tr[data-unit-id="{unit}"]').click(modifiers=["Control"])
    frame.locator('[data-testid="merge-button"]').click()


def canvas_drawn(locator) -> float:
    return drawn_fraction(locator.locator("canvas").first.evaluate("c => c.toDataURL()"))


def service_query(runner: str, task: str, task_input: dict) -> dict:
    body = {
        "type": "serviceQueryRequest",
        "serviceName": "sortingview",
        "query": {"taskName": task, "taskInput": task_input},
    }
    reply = httpx.post(f"{runner}/api", json=body, timeout=120)
    assert reply.status_code == 200, reply.text
    return json.loads(reply.content.split(b"\n", 1)[0])["result"]


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name))


def test_a_merged_pair_is_one_unit_with_correlograms_and_waveform_from_the_runner(page, live_figures, runner):
    page.set_viewport_size({"width": 1600, "height": 1000})
    frame = open_figure(page, live_figures.live)
    a, b = map(str, live_figures.units[:2])
    merged = f"{a}+{b}"
    select_and_merge(frame, [a, b])

    cross = view(frame, "CrossCorrelograms").locator(f'{CELL}[data-state="runner"]')
    cross.first.wait_for()
    assert cross.count() == 1 and cross.first.inner_text().strip() == f"{merged} × {merged}"
    auto = view(frame, "Autocorrelograms").locator(f'{CELL}[data-unit-id="{merged}"][data-state="runner"]')
    auto.wait_for()
    assert view(frame, "Autocorrelograms").locator(f'{CELL}[data-unit-id="{a}"]').count() == 0
    wave = view(frame, "AverageWaveforms").locator(f'{CELL}[data-unit-id="{merged}"][data-state="runner"]')
    wave.wait_for()
    assert "spikes" in wave.locator(".plot-grid-title").get_attribute("title")
    page.wait_for_timeout(300)  # cells draw on the next animation frame
    for cell in (cross.first, auto, wave):
        assert canvas_drawn(cell) > 0.001
    undo_in_journal(frame, 1)  # the merge: other tests show this sorting's units unmerged
    frame.locator('[data-testid="curation-runner-status"][data-state="saved"]').wait_for()
    assert frame.locator('[data-testid="compute-error"]').count() == 0
    shoot(page, "live_merged_pair.png")

    # What the page drew is what the runner computes for the merged spike trains.
    result = service_query(
        runner,
        "sortingview.correlograms.1",
        {
            "sorting_uri": live_figures.sorting_uri,
            "unit_groups": [[a, b]],
            "window_ms": 50,
            "bin_ms": 1,
            "cross": False,
        },
    )
    assert [str(u) for u in result["autocorrelograms"][0]["unitIds"]] == [a, b]
    assert page.errors.uncaught == [] and page.errors.console == []


def test_pairs_the_figure_lacks_are_computed_by_the_runner(page, live_figures):
    frame = open_figure(page, live_figures.live)
    units = [str(u) for u in live_figures.units[2:5]]
    rows = 'table[data-testid="units-table"]'
    frame.locator(f'{rows} tr[data-unit-id="{units[0]}"]').click()
    for unit in units[1:]:
        frame.locator(f'{rows} tr[data-unit-id="{unit}"]').click(modifiers=["Control"])
    cells = view(frame, "CrossCorrelograms").locator(CELL)
    page.wait_for_function(
        """() => [...document.querySelector('iframe').contentDocument
              .querySelectorAll('[data-view-type="CrossCorrelograms"] .plot-grid-cell[data-state="runner"]')].length === 6""",
        timeout=60_000,
    )
    states = cells.evaluate_all("cs => cs.map(c => c.dataset.state)")
    assert sorted(states) == ["figure"] * 3 + ["runner"] * 6
    assert page.errors.uncaught == [] and page.errors.console == []


def test_the_curation_lives_in_the_runner_journal_of_the_sorting(page, live_figures, runner):
    frame = open_figure(page, live_figures.live)
    unit = str(live_figures.units[4])
    frame.locator(f'table[data-testid="units-table"] tr[data-unit-id="{unit}"]').click()
    frame.locator('[data-testid="label-noise"]').click()
    frame.locator('[data-testid="curation-runner-status"][data-state="saved"]').wait_for()
    journal = "sorting-" + live_figures.sorting_uri.removeprefix("sha1://")[:40]
    state = service_query(runner, "sortingview.curation_state.1", {"journal": journal})["curation"]
    assert state["labelsByUnit"][unit] == ["noise"]

    # A fresh page without any URL state gets the curation from the journal.
    page.goto(live_figures.live)
    frame = page.frame_locator("iframe")
    row = frame.locator(f'table[data-testid="units-table"] tr[data-unit-id="{unit}"]')
    row.wait_for()
    page.wait_for_function(
        """unit => document.querySelector('iframe').contentDocument
              .querySelector(`tr[data-unit-id="${unit}"]`).innerText.includes('noise')""",
        arg=unit,
        timeout=30_000,
    )
    assert page.errors.uncaught == [] and page.errors.console == []


def loaded_window(frame) -> tuple[int, int]:
    value = frame.locator('[data-testid="ephys-traces"]').get_attribute("data-loaded-window")
    _, frames = value.split(":")
    start, end = frames.split("-")
    return int(start), int(end)


def wait_loaded(page, previous: str | None = None, timeout: float = 60_000) -> None:
    """Wait until the traces view holds a window (another one than ``previous``) and is not loading."""
    page.wait_for_function(
        """previous => {
            const v = document.querySelector('iframe').contentDocument.querySelector('[data-testid="ephys-traces"]')
            return v && v.dataset.loadedWindow && v.dataset.loadedWindow !== previous && v.dataset.loading === 'false'
        }""",
        arg=previous or "",
        timeout=timeout,
    )


def test_traces_are_read_window_by_window_with_spikes_gain_and_bandpass(page, live_figures):
    page.set_viewport_size({"width": 1600, "height": 1000})
    frame = open_figure(page, live_figures.traces)
    traces = frame.locator('[data-testid="ephys-traces"]')
    traces.wait_for()
    wait_loaded(page)
    start, end = loaded_window(frame)
    assert start == 0 and end > 0
    assert int(traces.get_attribute("data-spikes")) > 0
    page.wait_for_timeout(300)
    assert canvas_drawn(view(frame, "EphysTraces")) > 0.01
    shoot(page, "live_traces_8ch.png")

    before = traces.get_attribute("data-loaded-window")
    frame.locator('[data-testid="traces-pan-right"]').click()
    wait_loaded(page, before)
    start2, end2 = loaded_window(frame)
    assert start2 > start and end2 - start2 == pytest.approx(end - start, abs=2)

    before = traces.get_attribute("data-loaded-window")
    box = frame.locator('[data-view-type="EphysTraces"] canvas').bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, -400)  # zoom in around the pointer
    wait_loaded(page, before)
    start3, end3 = loaded_window(frame)
    assert end3 - start3 < end2 - start2

    frame.locator('[data-testid="traces-gain-up"]').click()
    assert float(traces.get_attribute("data-gain")) == pytest.approx(1.5)
    traces.focus()
    page.keyboard.press("-")
    assert float(traces.get_attribute("data-gain")) == pytest.approx(1.0)

    frame.locator('[data-testid="traces-bandpass"]').check()
    assert traces.get_attribute("data-bandpass") == "true"
    page.wait_for_function(
        """() => document.querySelector('iframe').contentDocument.querySelector('[data-testid="ephys-traces"]').dataset.loading === 'false'""",
        timeout=60_000,
    )
    assert frame.locator('[data-testid="compute-error"]').count() == 0
    assert page.errors.uncaught == [] and page.errors.console == []


def test_traces_of_a_384_channel_probe(page, runner_config, runner):
    import spikeinterface.full as si

    import spikeinterface_sortingview as sv
    from spikeinterface_sortingview import views

    recording, sorting = si.generate_ground_truth_recording(durations=[4.0], num_channels=384, num_units=30, seed=5)
    with runner_environment(runner_config):
        url = sv.Figure(
            views.EphysTraces(
                "spikeinterface-sortingview/recording",
                sv.share_recording(recording),
                sorting_uri=sv.share_sorting(sorting),
            )
        ).url(label="384 channels")
    page.set_viewport_size({"width": 1600, "height": 1000})
    frame = open_figure(page, url)
    wait_loaded(page, timeout=120_000)
    traces = frame.locator('[data-testid="ephys-traces"]')
    assert frame.locator('[data-testid="traces-rows"]').inner_text() == "channels 1–96 of 384"
    page.wait_for_timeout(300)
    assert canvas_drawn(view(frame, "EphysTraces")) > 0.05
    shoot(page, "live_traces_384ch.png")

    before = traces.get_attribute("data-loaded-window") + traces.get_attribute("data-rows")
    frame.locator('[data-testid="traces-rows-down"]').click()
    assert traces.get_attribute("data-rows") == "48:96"
    wait_loaded(page)
    frame.locator('[data-testid="traces-rows-more"]').click()
    assert frame.locator('[data-testid="traces-rows"]').inner_text() == "channels 1–192 of 384"
    wait_loaded(page)
    assert before != traces.get_attribute("data-loaded-window") + traces.get_attribute("data-rows")
    assert page.errors.uncaught == [] and page.errors.console == []


@pytest.fixture(scope="module")
def runner_without_compute(runner_config: dict[str, str], viewer_dist: Path, live_figures):
    """A second ``sv-runner --no-compute`` serving the same store (so the same figures)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, **runner_config, "SORTINGVIEW_VIEWER_DIR": str(viewer_dist)}
    env["SORTINGVIEW_HOME"] = env["SORTINGVIEW_HOME"] + "-no-compute"
    args = ["--port", str(port), "--no-compute", "--log-level", "warning"]
    with sv_runner_process(args, env, f"http://127.0.0.1:{port}", ARTIFACTS / "browser-runner-no-compute.log") as url:
        yield url


def on_runner(url: str, runner_url: str) -> str:
    """The same figURL served by another runner."""
    parts = urlsplit(url)
    return runner_url + parts.path + "?" + parts.query.replace(f"{parts.scheme}://{parts.netloc}", runner_url)


def test_without_compute_the_views_say_so_and_curation_stays_in_the_url(page, live_figures, runner_without_compute):
    frame = open_figure(page, on_runner(live_figures.live, runner_without_compute))
    status = frame.locator('[data-testid="curation-runner-status"][data-state="unavailable"]')
    status.wait_for()
    assert "not saved on the runner" in status.inner_text().lower()
    units = [str(u) for u in live_figures.units[:3]]
    select_and_merge(frame, units[:2])
    merged = "+".join(units[:2])
    page.wait_for_function("() => (new URL(location.href).searchParams.get('s') || '').includes('mergeGroups')")

    errors = view(frame, "CrossCorrelograms").locator('[data-testid="compute-error"]')
    errors.wait_for()
    assert "no compute service" in errors.inner_text()
    # The merged autocorrelogram cannot be summed without the pairs, so it says it is not available.
    assert view(frame, "CrossCorrelograms").locator(f'{CELL}[data-state="unavailable"]').count() == 1
    auto = view(frame, "Autocorrelograms")
    auto.locator('[data-testid="compute-error"]').wait_for()
    assert auto.locator(f'{CELL}[data-unit-id="{merged}"][data-state="unavailable"]').count() == 1
    # Waveforms fall back to the mean of the stored templates, with equal weights without spike counts.
    waves = view(frame, "AverageWaveforms")
    waves.locator(f'{CELL}[data-unit-id="{merged}"][data-state="equal-weights"]').wait_for()
    assert "mean of templates" in waves.inner_text()

    page.goto(on_runner(live_figures.traces, runner_without_compute))
    frame = page.frame_locator("iframe")
    error = view(frame, "EphysTraces").locator('[data-testid="compute-error"]')
    error.wait_for()
    assert "no compute service" in error.inner_text()
    console = [m for m in page.errors.console if "503" not in m]
    assert page.errors.uncaught == [] and console == []


def test_a_token_in_the_fragment_is_sent_to_the_runner_and_removed_from_the_address(page, live_figures, runner):
    sent: list[tuple[str, str | None]] = []
    page.on("request", lambda r: sent.append((r.url, r.headers.get("authorization"))))
    page.goto(live_figures.live + "#token=t0k3n")
    frame = page.frame_locator("iframe")
    frame.locator('[data-testid="curation-runner-status"][data-state="saved"]').wait_for()
    assert "#" not in page.evaluate("location.href")
    assert page.evaluate("localStorage.getItem('sv-runner-token')") == "t0k3n"
    to_runner = [(u, a) for u, a in sent if u.startswith(runner) and ("/sha1/" in u or u.endswith("/api"))]
    assert any(u.endswith("/api") for u, _ in to_runner)
    assert all(a == "Bearer t0k3n" for _, a in to_runner), to_runner
    assert page.errors.uncaught == [] and page.errors.console == []
