"""Fixtures of the browser tests: the built viewer, a real ``sv-runner``, figures of a small analyzer, Chromium."""

from __future__ import annotations

import os
import re
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser_support import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS
from tests.servers import sv_runner_process


@pytest.fixture(scope="session")
def runner_config(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment naming a private home, store and loopback address for the session's runner and figures."""
    root = tmp_path_factory.mktemp("browser")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return {
        "SORTINGVIEW_HOME": str(root / "home"),
        "SORTINGVIEW_STORE_DIR": str(root / "store"),
        "SORTINGVIEW_ADDRESS": f"http://127.0.0.1:{port}",
        "SORTINGVIEW_CONFIG": str(root / "no-config.yaml"),
    }


@pytest.fixture(scope="session")
def runner(runner_config: dict[str, str], viewer_dist: Path) -> Iterator[str]:
    """A real ``sv-runner start`` (no options: it serves the configured address) with the built viewer."""
    script = shutil.which("sv-runner")
    if script is None:
        pytest.fail("the sv-runner script is not installed: run pip install -e .")
    env = {**os.environ, **runner_config, "SORTINGVIEW_VIEWER_DIR": str(viewer_dist)}
    url = runner_config["SORTINGVIEW_ADDRESS"]
    with sv_runner_process(["--log-level", "warning"], env, url, ARTIFACTS / "browser-runner.log"):
        yield url


def generated_analyzer(duration: float, num_channels: int, num_units: int, seed: int, sparse: bool):
    """A sorting analyzer of a generated recording with every extension the widgets read."""
    import spikeinterface.full as si

    recording, sorting = si.generate_ground_truth_recording(
        durations=[duration], num_channels=num_channels, num_units=num_units, seed=seed
    )
    result = si.create_sorting_analyzer(sorting, recording, sparse=sparse)
    result.compute(
        [
            "random_spikes",
            "waveforms",
            "templates",
            "noise_levels",
            "correlograms",
            "unit_locations",
            "spike_amplitudes",
            "template_similarity",
            "spike_locations",
        ],
        verbose=False,
    )
    result.compute("quality_metrics", metric_names=["snr", "firing_rate", "isi_violation"], verbose=False)
    return result


@pytest.fixture(scope="session")
def analyzer():
    """A small analyzer (8 channels, 6 units, 10 s, dense)."""
    return generated_analyzer(10.0, num_channels=8, num_units=6, seed=7, sparse=False)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=60_000)
        yield chromium
        chromium.close()


class PageErrors:
    """Console errors and uncaught exceptions of a page and its frames."""

    def __init__(self) -> None:
        self.console: list[str] = []
        self.uncaught: list[str] = []

    def on_console(self, message) -> None:
        if message.type == "error":
            self.console.append(f"{message.text} ({message.location.get('url', '')})")

    def on_page_error(self, error) -> None:
        self.uncaught.append(str(error))


@pytest.fixture
def page(browser, request: pytest.FixtureRequest):
    """A fresh browser page; a screenshot of it is saved to test-artifacts/browser/ after the test."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(30_000)
    new_page = context.new_page()
    errors = PageErrors()
    new_page.on("console", errors.on_console)
    new_page.on("pageerror", errors.on_page_error)
    new_page.errors = errors
    yield new_page
    shots = ARTIFACTS / "browser"
    shots.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    try:
        new_page.screenshot(path=str(shots / f"{name}.png"), full_page=True, timeout=10_000)
    finally:
        context.close()
