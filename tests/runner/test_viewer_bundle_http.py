"""The host page and viewer bundle: a clear 503 when not built; the built bundle's files otherwise."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest


def test_figure_page_without_a_built_viewer_is_a_503_saying_how_to_build_it(runner_url: str):
    response = httpx.get(f"{runner_url}/f?v=x&d=sha1://{'0' * 40}&label=x", timeout=10)
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("text/html")
    assert "npm ci &amp;&amp; npm run build" in response.text
    assert "pip install" in response.text


def test_viewer_files_without_a_built_viewer_are_503(runner_url: str):
    assert httpx.get(f"{runner_url}/viewer/index.html", timeout=10).status_code == 503


@pytest.fixture
def bundle_url(serve_app, store, viewer_dist: Path) -> str:
    return serve_app(store_dir=store.directory, viewer_dir=viewer_dist)


def test_figure_page_serves_the_built_host_page(bundle_url: str, viewer_dist: Path):
    response = httpx.get(f"{bundle_url}/f?v=http://127.0.0.1/viewer&d=sha1://{'0' * 40}&label=a", timeout=10)
    assert response.status_code == 200
    assert response.text == (viewer_dist / "host.html").read_text()
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["cache-control"] == "no-cache"


def test_viewer_root_is_the_view_page(bundle_url: str, viewer_dist: Path):
    for path in ("/viewer/", "/viewer/index.html"):
        response = httpx.get(f"{bundle_url}{path}", timeout=10)
        assert response.status_code == 200
        assert response.text == (viewer_dist / "index.html").read_text()
    redirect = httpx.get(f"{bundle_url}/viewer", timeout=10)
    assert redirect.status_code in (307, 308) and redirect.headers["location"].endswith("/viewer/")


def test_hashed_assets_are_immutable_with_their_content_type(bundle_url: str, viewer_dist: Path):
    assets = sorted((viewer_dist / "assets").iterdir())
    scripts = [a for a in assets if a.suffix == ".js"]
    styles = [a for a in assets if a.suffix == ".css"]
    assert scripts and styles
    for asset, content_type in ((scripts[0], "text/javascript"), (styles[0], "text/css")):
        response = httpx.get(f"{bundle_url}/viewer/assets/{asset.name}", timeout=10)
        assert response.status_code == 200
        assert response.content == asset.read_bytes()
        assert response.headers["content-type"].startswith(content_type)
        assert "immutable" in response.headers["cache-control"]


def test_files_outside_the_bundle_are_refused(send_raw, bundle_url: str):
    for path in (
        "/viewer/../../../../etc/passwd",
        "/viewer/..%2f..%2f..%2fetc%2fpasswd",
        "/viewer/%2e%2e/%2e%2e/etc/passwd",
        "/viewer//etc/passwd",
        "/viewer/assets/../../dist/host.html",
    ):
        answer = send_raw(bundle_url, f"GET {path} HTTP/1.1")
        assert int(answer.split(b" ", 2)[1]) in (400, 404), path
        assert b"root:" not in answer
    assert httpx.get(f"{bundle_url}/viewer/missing.js", timeout=10).status_code == 404
