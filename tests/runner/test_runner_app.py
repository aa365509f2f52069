"""The app's surface: OpenAPI schema, health, the compute placeholder, errors, Host checks."""

from __future__ import annotations

import httpx

import spikeinterface_sortingview


def test_openapi_lists_the_routes(runner_url: str):
    schema = httpx.get(f"{runner_url}/openapi.json", timeout=10).json()
    assert schema["info"]["title"] == "sortingview runner"
    paths = schema["paths"]
    assert set(paths) >= {"/health", "/f", "/viewer/{path}", "/sha1/{sha1}", "/sha1", "/api"}
    assert "get" in paths["/sha1/{sha1}"] and "206" in paths["/sha1/{sha1}"]["get"]["responses"]
    assert "post" in paths["/sha1"] and "post" in paths["/api"]


def test_health_reports_version_pid_and_store(runner_url: str, store):
    reply = httpx.get(f"{runner_url}/health", timeout=10).json()
    assert reply["ok"] is True
    assert reply["version"] == spikeinterface_sortingview.__version__
    assert isinstance(reply["pid"], int)
    assert reply["store_dir"] == str(store.directory)


def test_api_of_a_runner_without_compute_answers_503(runner_url: str):
    query = {"type": "serviceQueryRequest", "serviceName": "sortingview", "query": {"taskName": "x"}}
    response = httpx.post(f"{runner_url}/api", json=query, timeout=10)
    assert response.status_code == 503
    assert response.json() == {
        "type": "serviceQueryResponse",
        "errorMessage": "compute is not available on this runner",
    }


def test_unknown_page_is_404_naming_what_is_served(runner_url: str):
    response = httpx.get(f"{runner_url}/nothing-here", timeout=10)
    assert response.status_code == 404
    assert "/sha1/<hash>" in response.text


def test_home_page_links_health(runner_url: str):
    response = httpx.get(f"{runner_url}/", timeout=10)
    assert response.status_code == 200
    assert "/health" in response.text


def test_no_cdn_docs_pages(runner_url: str):
    # FastAPI's /docs loads Swagger UI from a CDN, which an offline runner cannot reach.
    assert httpx.get(f"{runner_url}/docs", timeout=10).status_code == 404


def test_loopback_runner_refuses_foreign_host_headers(serve_app, store, tmp_path):
    url = serve_app(store_dir=store.directory, viewer_dir=tmp_path, allowed_hosts=["127.0.0.1", "localhost"])
    assert httpx.get(f"{url}/health", timeout=10).status_code == 200
    assert httpx.get(f"{url}/health", headers={"Host": "localhost:1"}, timeout=10).status_code == 200
    # A page on evil.example whose name was rebound to 127.0.0.1 sends its own name as Host.
    assert httpx.get(f"{url}/health", headers={"Host": "evil.example"}, timeout=10).status_code == 400
