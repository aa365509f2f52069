"""The viewer bundle built for tests and benchmarks, and the Chromium they drive (Debian's, through Playwright)."""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import spikeinterface_sortingview

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts"
VIEWER_SOURCE = Path(spikeinterface_sortingview.__file__).parent / "viewer"
NOT_SOURCES = {"node_modules", "dist", "dev"}
CHROMIUM = "/usr/bin/chromium"
# Without the last four, Chromium keeps contacting Google's services in the background (refused here).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@contextmanager
def runner_environment(runner_config: dict[str, str]) -> Iterator[None]:
    """The environment naming the session's runner (its home, store and address) while figures are published."""
    saved = {name: os.environ.get(name) for name in runner_config}
    os.environ.update(runner_config)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class ViewerBuildError(RuntimeError):
    """The viewer could not be built; the message says why and what to install."""


def viewer_source_hash() -> str:
    """Hash of the viewer's sources, naming a cached build."""
    digest = hashlib.sha1()
    for path in sorted(VIEWER_SOURCE.rglob("*")):
        relative = path.relative_to(VIEWER_SOURCE)
        if relative.parts[0] in NOT_SOURCES or any(p.startswith(".") for p in relative.parts) or not path.is_file():
            continue
        digest.update(str(relative).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def viewer_npm() -> str:
    """npm, with the viewer's node modules installed (``npm ci`` when they are missing)."""
    if not (VIEWER_SOURCE / "package.json").is_file():
        raise ViewerBuildError(f"{VIEWER_SOURCE} has no package.json: the viewer source is missing")
    npm = shutil.which("npm")
    if npm is None:
        raise ViewerBuildError("npm is not installed (Debian: apt-get install nodejs npm); the viewer cannot be built")
    if not (VIEWER_SOURCE / "node_modules" / ".package-lock.json").is_file():
        subprocess.run([npm, "ci"], cwd=VIEWER_SOURCE, check=True, capture_output=True, timeout=600)
    return npm


def built_viewer() -> Path:
    """The viewer built from the current sources with `npm run build`, cached in test-artifacts/ by source hash.

    Built apart from ``viewer/dist`` so that a test never replaces the bundle someone is working with.
    """
    out = ARTIFACTS / f"viewer-dist-{viewer_source_hash()}"
    ARTIFACTS.mkdir(exist_ok=True)
    # Test processes asking at once (two pytest runs, a benchmark) wait for one build and then all use it.
    with open(ARTIFACTS / "viewer-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (out / "host.html").is_file() and (out / "index.html").is_file():
            return out
        npm = viewer_npm()
        for stale in out.parent.glob("viewer-dist-*"):
            shutil.rmtree(stale, ignore_errors=True)  # builds of older sources
        result = subprocess.run(
            [npm, "run", "build", "--", "--outDir", str(out), "--emptyOutDir"],
            cwd=VIEWER_SOURCE,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if result.returncode != 0:
            raise ViewerBuildError(f"npm run build failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
        return out


def settle_script(max_gap_ms: float) -> str:
    """JavaScript that resolves once the page drew 5 frames in a row at most ``max_gap_ms`` apart (at most 5 s),
    so that the redraws an interaction started are done; it returns the milliseconds it waited."""
    return f"""async () => {{
  const t0 = performance.now()
  let last = await new Promise((r) => requestAnimationFrame(r))
  let calm = 0
  while (calm < 5 && performance.now() - t0 < 5000) {{
    const now = await new Promise((r) => requestAnimationFrame(r))
    calm = now - last <= {max_gap_ms} ? calm + 1 : 0
    last = now
  }}
  return performance.now() - t0
}}"""


def journal_actions(frame) -> int:
    """How many actions the figure's runner journal holds, as its curation panel last said (-1 while it saves or
    is not connected). ``frame`` is a Playwright frame locator of the figure."""
    status = frame.locator('[data-testid="curation-runner-status"]')
    if status.get_attribute("data-state") != "saved":
        return -1
    match = re.search(r"(\d+) actions", status.get_attribute("title") or "")
    return int(match.group(1)) if match else -1


def undo_in_journal(frame, count: int, timeout: float = 30.0) -> None:
    """Click Undo ``count`` times and wait until the runner's journal has the undos.

    Figures of one sorting share its journal across tests: a test that curates undoes what it did, so that the
    next one starts from the sorting as it is.
    """
    deadline = time.monotonic() + timeout
    while (before := journal_actions(frame)) < 0:
        assert time.monotonic() < deadline, "the curation panel never said the journal was saved"
        time.sleep(0.05)
    for _ in range(count):
        frame.locator('[data-testid="undo-curation"]').click()
    while journal_actions(frame) != before + count:
        assert time.monotonic() < deadline, f"the journal did not reach {before + count} actions"
        time.sleep(0.05)
