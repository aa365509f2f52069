"""The build hook (hatch_build.py): when it runs npm, its errors, and a wheel that carries the viewer bundle."""

from __future__ import annotations

import importlib.util
import os
import pty
import select
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
VIEWER = REPO / "spikeinterface_sortingview" / "viewer"

pytest.importorskip("hatchling", reason="the build hook runs inside hatchling; pip install hatchling")
_spec = importlib.util.spec_from_file_location("hatch_build", REPO / "hatch_build.py")
hatch_build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(hatch_build)


def make_viewer(root: Path, built: bool, installed: bool) -> Path:
    viewer = root / "viewer"
    (viewer / "src").mkdir(parents=True)
    (viewer / "package.json").write_text("{}")
    (viewer / "package-lock.json").write_text("{}")
    (viewer / "src" / "main.ts").write_text("export {}")
    old = time.time() - 100
    for path in (viewer / "package.json", viewer / "package-lock.json", viewer / "src" / "main.ts"):
        os.utime(path, (old, old))
    if installed:
        (viewer / "node_modules").mkdir()
        (viewer / "node_modules" / ".package-lock.json").write_text("{}")
    if built:
        (viewer / "dist").mkdir()
        for page in ("host.html", "index.html"):
            (viewer / "dist" / page).write_text("<!doctype html>")
    return viewer


def test_a_missing_or_stale_bundle_needs_a_build(tmp_path: Path):
    assert hatch_build.build_is_needed(make_viewer(tmp_path / "a", built=False, installed=True))
    viewer = make_viewer(tmp_path / "b", built=True, installed=True)
    assert not hatch_build.build_is_needed(viewer)
    (viewer / "src" / "main.ts").write_text("export const changed = 1")
    assert hatch_build.build_is_needed(viewer)


def test_npm_ci_runs_only_without_node_modules_or_after_a_lockfile_change(tmp_path: Path):
    assert hatch_build.install_is_needed(make_viewer(tmp_path / "a", built=True, installed=False))
    viewer = make_viewer(tmp_path / "b", built=True, installed=True)
    assert not hatch_build.install_is_needed(viewer)
    (viewer / "package-lock.json").write_text('{"changed": true}')
    assert hatch_build.install_is_needed(viewer)


def test_missing_npm_is_a_clear_error_naming_what_to_install(tmp_path: Path, monkeypatch):
    viewer = make_viewer(tmp_path, built=False, installed=True)
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    with pytest.raises(hatch_build.ViewerBuildError, match="apt-get install nodejs npm") as error:
        hatch_build.build_viewer(viewer, log=lambda message: None)
    assert "SORTINGVIEW_SKIP_VIEWER_BUILD=1" in str(error.value)


@pytest.mark.parametrize("installed", [True, False], ids=["with node_modules", "as unpacked from the sdist"])
def test_an_up_to_date_bundle_needs_no_npm(tmp_path: Path, monkeypatch, installed: bool):
    viewer = make_viewer(tmp_path, built=True, installed=installed)
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    assert hatch_build.build_viewer(viewer, log=lambda message: None) == viewer / "dist"


def test_without_package_json_the_error_says_how_to_skip(tmp_path: Path):
    with pytest.raises(hatch_build.ViewerBuildError, match="SORTINGVIEW_SKIP_VIEWER_BUILD=1"):
        hatch_build.build_viewer(tmp_path, log=lambda message: None)


def copy_source_tree(target: Path, with_bundle: bool = False) -> Path:
    """The repository without .git, node_modules, dist or test output; node_modules linked (npm ci needs network).

    ``with_bundle`` keeps the viewer's built dist/ (its times too, so it stays up to date when it was).
    """
    ignored = shutil.ignore_patterns(
        ".git", ".venv*", "node_modules", "dist", "test-artifacts", "__pycache__", ".*cache", "*.egg-info"
    )

    def ignore(folder: str, names: list[str]) -> set[str]:
        keep = {"dist"} if with_bundle and Path(folder) == VIEWER else set()
        return set(ignored(folder, names)) - keep

    shutil.copytree(REPO, target, ignore=ignore)
    (target / VIEWER.relative_to(REPO) / "node_modules").symlink_to(VIEWER / "node_modules")
    return target


def run_in_terminal(command: list[str], env: dict[str, str], timeout: float) -> tuple[int, str]:
    """Run ``command`` with a pseudo-terminal as its controlling terminal, as in a user's shell; return its
    exit status and everything that reached the terminal."""
    pid, terminal = pty.fork()
    if pid == 0:  # the child: exec at once, nothing of pytest runs here
        os.execvpe(command[0], command, env)
    output, deadline = b"", time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if not select.select([terminal], [], [], 1.0)[0]:
                continue
            try:
                chunk = os.read(terminal, 65536)
            except OSError:  # EIO: the child and its subprocesses closed the terminal
                break
            if not chunk:
                break
            output += chunk
    finally:
        os.close(terminal)
    if time.monotonic() >= deadline:
        os.kill(pid, 9)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), output.decode(errors="replace")


def build_wheel(source: Path, out: Path, **env: str) -> tuple[Path, str]:
    """``pip wheel`` (without -v, as a user runs it) in a terminal; the wheel and what the terminal showed."""
    command = [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--no-build-isolation", "-w", str(out)]
    status, shown = run_in_terminal(command, {**os.environ, **env}, timeout=600)
    assert status == 0, shown[-3000:]
    return next(out.glob("*.whl")), shown


@pytest.mark.slow
def test_the_wheel_carries_the_built_viewer_and_the_sv_runner_script(tmp_path: Path):
    if not (VIEWER / "node_modules" / ".package-lock.json").is_file():
        pytest.fail(f"run `npm ci` in {VIEWER} first (this test works offline on its node_modules)")
    wheel, shown = build_wheel(copy_source_tree(tmp_path / "src"), tmp_path / "wheel")
    # pip hides the hook's output; its progress reaches the terminal all the same
    assert "viewer: npm run build" in shown and "viewer: built in" in shown, shown[-3000:]
    names = zipfile.ZipFile(wheel).namelist()
    bundle = [n for n in names if n.startswith("spikeinterface_sortingview/viewer/dist/")]
    assert "spikeinterface_sortingview/viewer/dist/host.html" in bundle
    assert "spikeinterface_sortingview/viewer/dist/index.html" in bundle
    assert any(n.startswith("spikeinterface_sortingview/viewer/dist/assets/") and n.endswith(".js") for n in bundle)
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "sv-runner = runner.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


@pytest.mark.slow
def test_skipping_the_viewer_build_gives_a_wheel_without_a_bundle(tmp_path: Path):
    source = copy_source_tree(tmp_path / "src")
    wheel, _ = build_wheel(source, tmp_path / "wheel", SORTINGVIEW_SKIP_VIEWER_BUILD="1")
    assert not [n for n in zipfile.ZipFile(wheel).namelist() if "/viewer/dist/" in n]
    assert not (source / VIEWER.relative_to(REPO) / "dist").exists()


def build_sdist(tmp_path: Path) -> Path:
    """An sdist of a copy of the repository (with its viewer bundle, so that an up-to-date one is not rebuilt)."""
    result = subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "sdist", "-d", str(tmp_path / "sdist")],
        cwd=copy_source_tree(tmp_path / "src", with_bundle=True),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return next((tmp_path / "sdist").glob("*.tar.gz"))


@pytest.mark.slow
def test_the_sdist_carries_the_viewer_sources_and_its_bundle_so_a_wheel_from_it_needs_no_nodejs(tmp_path: Path):
    if not (VIEWER / "node_modules" / ".package-lock.json").is_file():
        pytest.fail(f"run `npm ci` in {VIEWER} first (this test works offline on its node_modules)")
    sdist = build_sdist(tmp_path)
    names = tarfile.open(sdist).getnames()
    for needed in ("hatch_build.py", "viewer/package.json", "viewer/package-lock.json", "viewer/src/host/main.ts"):
        assert any(n.endswith(needed) for n in names), needed
    for page in hatch_build.BUNDLE_PAGES:
        assert any(n.endswith(f"spikeinterface_sortingview/viewer/dist/{page}") for n in names), page
    assert not any("/node_modules/" in n for n in names)

    # pip installs an sdist by building a wheel from it: here with nothing but Python on PATH
    python_only = tmp_path / "python-only-bin"
    python_only.mkdir()
    (python_only / "python").symlink_to(sys.executable)
    command = [sys.executable, "-m", "pip", "wheel", str(sdist), "--no-deps", "--no-build-isolation"]
    result = subprocess.run(
        [*command, "-w", str(tmp_path / "wheel")],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PATH": str(python_only)},
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    names = zipfile.ZipFile(next((tmp_path / "wheel").glob("*.whl"))).namelist()
    for page in hatch_build.BUNDLE_PAGES:
        assert f"spikeinterface_sortingview/viewer/dist/{page}" in names


def test_the_build_log_goes_to_the_terminal_when_there_is_one(tmp_path: Path):
    # stdout and stderr go where pip captures them; the log must reach the terminal anyway
    script = (
        "import importlib.util, os, sys\n"
        f"spec = importlib.util.spec_from_file_location('hatch_build', {str(REPO / 'hatch_build.py')!r})\n"
        "module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)\n"
        "hidden = os.open(os.devnull, os.O_WRONLY); os.dup2(hidden, 1); os.dup2(hidden, 2)\n"
        "log = module.terminal_log(lambda message: print('fallback', message))\n"
        "log('viewer: first line'); log('viewer: second line')\n"
    )
    status, shown = run_in_terminal([sys.executable, "-c", script], dict(os.environ), timeout=60)
    assert status == 0, shown
    assert "viewer: first line" in shown and "viewer: second line" in shown and "fallback" not in shown


def test_without_a_terminal_the_build_log_falls_back_to_hatchling():
    script = (
        "import importlib.util\n"
        f"spec = importlib.util.spec_from_file_location('hatch_build', {str(REPO / 'hatch_build.py')!r})\n"
        "module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)\n"
        "module.terminal_log(lambda message: print('fallback', message))('viewer: a line')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, start_new_session=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "fallback viewer: a line\n"
