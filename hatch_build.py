"""Hatchling build hook: build the web viewer with npm and put its bundle (``viewer/dist``) in the package.

``pip install .`` and ``pip install -e .`` both build it, so that ``sv-runner start`` serves a viewer. The
sdist carries the built bundle beside the viewer's sources, so a wheel built from it (``pip install`` of
the sdist) needs no Node.js. Set ``SORTINGVIEW_SKIP_VIEWER_BUILD=1`` to build without npm (a ``dist/``
already there is still packaged).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

VIEWER_DIR = Path("spikeinterface_sortingview") / "viewer"
BUNDLE_PAGES = ("host.html", "index.html")
SKIP_ENV = "SORTINGVIEW_SKIP_VIEWER_BUILD"
# Not sources of the bundle: installed packages, the output itself, the dev server's sample store.
NOT_SOURCES = {"node_modules", "dist", "dev"}
NPM_TIMEOUT_SECONDS = 30 * 60
# npm's audit, funding and update checks go to the network and add nothing to a build.
NPM_QUIET = {"npm_config_audit": "false", "npm_config_fund": "false", "npm_config_update_notifier": "false"}


class ViewerBuildError(RuntimeError):
    """The viewer could not be built; the message says what to install or run."""


def newest_source_mtime(viewer: Path) -> float:
    """Modification time of the newest file the bundle is built from."""
    newest = 0.0
    for path in viewer.rglob("*"):
        relative = path.relative_to(viewer).parts
        if relative[0] in NOT_SOURCES or any(part.startswith(".") for part in relative) or not path.is_file():
            continue
        newest = max(newest, path.stat().st_mtime)
    return newest


def bundle_is_built(dist: Path) -> bool:
    return all((dist / page).is_file() for page in BUNDLE_PAGES)


def build_is_needed(viewer: Path) -> bool:
    """True if ``dist/`` is missing or older than a source file."""
    dist = viewer / "dist"
    if not bundle_is_built(dist):
        return True
    built = min((dist / page).stat().st_mtime for page in BUNDLE_PAGES)
    return newest_source_mtime(viewer) > built


def install_is_needed(viewer: Path) -> bool:
    """True if ``node_modules`` is missing or older than the lockfile (npm writes its own copy of the lock there)."""
    installed = viewer / "node_modules" / ".package-lock.json"
    lockfile = viewer / "package-lock.json"
    if not installed.is_file():
        return True
    return lockfile.is_file() and lockfile.stat().st_mtime > installed.stat().st_mtime


def terminal_log(fallback: Callable[[str], Any]) -> Callable[[str], Any]:
    """A log that writes to the controlling terminal when there is one, else ``fallback``.

    pip shows nothing a build backend prints unless it runs with ``-v``, so a two-minute ``npm ci`` would
    pass without a word. The terminal is the user's screen whatever pip does with our output; each line
    ends with a newline so that pip's spinner goes on below it.
    """
    try:
        terminal = open("/dev/tty", "w", encoding="utf-8")  # kept open for the build's lines
    except OSError:
        return fallback
    first = True

    def log(message: str) -> None:
        nonlocal first
        # The first line starts below pip's "Building wheel ... -" line; later ones overwrite the spinner.
        terminal.write(("\n" if first else "\r") + message + "\n")
        terminal.flush()
        first = False

    return log


def run_npm(args: list[str], viewer: Path) -> None:
    """Run ``npm <args>`` in ``viewer``; on failure raise with the end of its output."""
    npm = shutil.which("npm")
    assert npm is not None
    try:
        result = subprocess.run(
            [npm, *args],
            cwd=viewer,
            env={**os.environ, **NPM_QUIET},
            capture_output=True,
            text=True,
            timeout=NPM_TIMEOUT_SECONDS,
        )
    except subprocess.TimeoutExpired:
        raise ViewerBuildError(
            f"`npm {' '.join(args)}` in {viewer} did not finish in {NPM_TIMEOUT_SECONDS} s"
        ) from None
    if result.returncode != 0:
        output = "\n".join((result.stdout + result.stderr).splitlines()[-40:])
        raise ViewerBuildError(f"`npm {' '.join(args)}` failed in {viewer} (status {result.returncode}):\n{output}")


def build_viewer(viewer: Path, log: Callable[[str], Any] = print) -> Path:
    """Install the viewer's npm packages if needed, build it if needed, and return its ``dist/``.

    Raises
    ------
    ViewerBuildError
        Without ``package.json``, without Node.js/npm when there is work to do, or when npm fails.
    """
    if not (viewer / "package.json").is_file():
        raise ViewerBuildError(
            f"{viewer} has no package.json, so the viewer cannot be built. Build from a complete source tree, "
            f"or set {SKIP_ENV}=1 to build the package without the viewer."
        )
    build = build_is_needed(viewer)
    # Node.js is only needed when there is work to do: an up-to-date bundle (built here before, or shipped
    # in the sdist) is packaged as it is. The lockfile is a source, so new packages mean a new build.
    install = build and install_is_needed(viewer)
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None] if install or build else []
    if missing:
        raise ViewerBuildError(
            f"Building the viewer needs Node.js and npm, and {' and '.join(missing)} is not on PATH. Install them "
            f"(Debian/Ubuntu: apt-get install nodejs npm; elsewhere https://nodejs.org), or set {SKIP_ENV}=1 to "
            "build the package without the viewer (sv-runner then answers figure pages with a 503 'not built')."
        )
    if install:
        log(f"viewer: npm ci in {viewer} (installs the build tools; about a minute the first time) ...")
        start = time.monotonic()
        run_npm(["ci"], viewer)
        log(f"viewer: npm ci done in {time.monotonic() - start:.0f} s")
    if install or build:
        log("viewer: npm run build (about 30 s) ...")
        start = time.monotonic()
        run_npm(["run", "build"], viewer)
        log(f"viewer: built in {time.monotonic() - start:.0f} s")
    else:
        log(f"viewer: the bundle in {viewer / 'dist'} is up to date")
    dist = viewer / "dist"
    if not bundle_is_built(dist):
        raise ViewerBuildError(f"`npm run build` finished but {dist} lacks {' or '.join(BUNDLE_PAGES)}")
    return dist


class ViewerBuildHook(BuildHookInterface):
    """Runs before the sdist or the wheel (standard or editable) is assembled."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        viewer = Path(self.root) / VIEWER_DIR
        dist = viewer / "dist"
        if os.environ.get(SKIP_ENV, "") not in ("", "0"):
            if bundle_is_built(dist):
                self.app.display_warning(f"{SKIP_ENV} is set: packaging the existing {dist} without rebuilding it")
            else:
                self.app.display_warning(f"{SKIP_ENV} is set and {dist} is not built: the package has no viewer")
                return
        else:
            build_viewer(viewer, log=terminal_log(self.app.display_info))
        # An editable install serves dist/ from the source tree; the sdist and a real wheel need a copy. dist/
        # is git-ignored, which hatchling honours, so it must be forced in.
        if self.target_name == "sdist" or version == "standard":
            build_data["force_include"][str(dist)] = (VIEWER_DIR / "dist").as_posix()
