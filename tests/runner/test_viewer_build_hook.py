"""The build hook (hatch_build.py): when it runs npm, its errors, and a wheel that carries the viewer bundle."""

from __future__ import annotations

import importlib.util
import os
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


def test_an_up_to_date_bundle_needs_no_npm(tmp_path: Path, monkeypatch):
    viewer = make_viewer(tmp_path, built=True, installed=True)
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    assert hatch_build.build_viewer(viewer, log=lambda message: None) == viewer / "dist"


def test_without_package_json_the_error_says_how_to_skip(tmp_path: Path):
    with pytest.raises(hatch_build.ViewerBuildError, match="SORTINGVIEW_SKIP_VIEWER_BUILD=1"):
        hatch_build.build_viewer(tmp_path, log=lambda message: None)


def copy_source_tree(target: Path) -> Path:
    """The repository without .git, node_modules, dist or test output; node_modules linked (npm ci needs network)."""
    ignore = shutil.ignore_patterns(
        ".git", "node_modules", "dist", "test-artifacts", "__pycache__", ".*cache", "*.egg-info"
    )
    shutil.copytree(REPO, target, ignore=ignore)
    (target / VIEWER.relative_to(REPO) / "node_modules").symlink_to(VIEWER / "node_modules")
    return target


def build_wheel(source: Path, out: Path, **env: str) -> Path:
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--no-build-isolation", "-w", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, **env},
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return next(out.glob("*.whl"))


@pytest.mark.slow
def test_the_wheel_carries_the_built_viewer_and_the_sv_runner_script(tmp_path: Path):
    if not (VIEWER / "node_modules" / ".package-lock.json").is_file():
        pytest.fail(f"run `npm ci` in {VIEWER} first (this test works offline on its node_modules)")
    wheel = build_wheel(copy_source_tree(tmp_path / "src"), tmp_path / "wheel")
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
    wheel = build_wheel(source, tmp_path / "wheel", SORTINGVIEW_SKIP_VIEWER_BUILD="1")
    assert not [n for n in zipfile.ZipFile(wheel).namelist() if "/viewer/dist/" in n]
    assert not (source / VIEWER.relative_to(REPO) / "dist").exists()


def test_the_sdist_keeps_the_viewer_sources_a_wheel_is_built_from(tmp_path: Path):
    result = subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "sdist", "-d", str(tmp_path)],
        cwd=copy_source_tree(tmp_path / "src"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    names = tarfile.open(next(tmp_path.glob("*.tar.gz"))).getnames()
    for needed in ("hatch_build.py", "viewer/package.json", "viewer/package-lock.json", "viewer/src/host/main.ts"):
        assert any(n.endswith(needed) for n in names), needed
    assert not any("/node_modules/" in n for n in names)
