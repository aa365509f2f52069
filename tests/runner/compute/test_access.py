"""Who may use a runner: loopback needs nothing, a token otherwise, a curator token for curation; CORS."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import httpx
import pytest
from starlette.middleware import Middleware

from runner.access import COOKIE_NAME, AccessMiddleware, AccessPolicy, load_or_create_token, token_path
from runner.app import create_app
from runner.compute import ComputeService
from runner.executor import RayExecutor, RayOptions
from runner.handler_config import parse_handler_config
from runner.server import access_middleware
from runner.task_results import TaskResultCache
from tests.servers import ThreadServer

CURATION = {
    "type": "serviceQueryRequest",
    "serviceName": "sortingview",
    "query": {
        "taskName": "sortingview.curation_action.1",
        "taskInput": {"journal": "j", "action": {"type": "CLOSE_CURATION"}},
    },
}


@pytest.fixture
def guarded_runner(tmp_path):
    """A runner that asks for a token, as one bound beyond loopback does (served on 127.0.0.1 for the test)."""
    policy = AccessPolicy(token="runner-token-0123456789", curator_tokens={"curator-token-0123456789": "alice"})
    app = create_app(
        tmp_path / "store", viewer_dir=tmp_path / "none", middleware=[Middleware(AccessMiddleware, policy=policy)]
    )
    server = ThreadServer(app).start()
    yield server.url
    server.stop()


def test_requests_without_the_token_are_refused(guarded_runner):
    response = httpx.get(f"{guarded_runner}/health", timeout=10)
    assert response.status_code == 401 and "needs its token" in response.text
    ok = httpx.get(f"{guarded_runner}/health", headers={"Authorization": "Bearer runner-token-0123456789"}, timeout=10)
    assert ok.status_code == 200
    wrong = httpx.get(f"{guarded_runner}/health", headers={"Authorization": "Bearer nope"}, timeout=10)
    assert wrong.status_code == 401


def test_a_token_in_the_url_sets_a_cookie_for_the_page(guarded_runner):
    with httpx.Client(base_url=guarded_runner, timeout=10) as client:
        first = client.get("/health", params={"token": "runner-token-0123456789"})
        assert first.status_code == 200 and "HttpOnly" in first.headers["set-cookie"]
        assert client.cookies.get(COOKIE_NAME) == "runner-token-0123456789"
        assert client.get("/health").status_code == 200  # the cookie is enough from now on


@pytest.mark.ray
def test_curation_actions_need_a_curator_token(compute_runner, tmp_path):
    store_dir = compute_runner.store_dir
    executor = RayExecutor(
        parse_handler_config(None),
        RayOptions(worker_env={"SORTINGVIEW_STORE_DIR": str(store_dir)}),
        journal_dir=str(tmp_path / "journals"),
    )
    service = ComputeService(executor, TaskResultCache(store_dir))
    policy = AccessPolicy(token="runner-token-0123456789", curator_tokens={"curator-token-0123456789": "alice"})
    app = create_app(
        store_dir,
        viewer_dir=tmp_path / "none",
        compute=service,
        middleware=[Middleware(AccessMiddleware, policy=policy)],
    )
    server = ThreadServer(app).start()
    try:
        runner_only = {"Authorization": "Bearer runner-token-0123456789"}
        refused = httpx.post(f"{server.url}/api", json=CURATION, headers=runner_only, timeout=60)
        assert refused.status_code == 403 and "curator token" in refused.json()["errorMessage"]
        info = {
            **CURATION,
            "query": {
                "taskName": "sortingview.sorting_info.1",
                "taskInput": {"sorting_uri": compute_runner.sorting_uri},
            },
        }
        assert httpx.post(f"{server.url}/api", json=info, headers=runner_only, timeout=60).status_code == 200
        curator = {"Authorization": "Bearer curator-token-0123456789"}
        accepted = httpx.post(f"{server.url}/api", json=CURATION, headers=curator, timeout=60)
        assert accepted.status_code == 200 and accepted.json()["result"]["curation"]["isClosed"] is True
        # The journal says who: the curator token's name, whatever the client claims.
        claims = {
            **CURATION,
            "query": {**CURATION["query"], "taskInput": {"journal": "j", "action": {"type": "UNDO"}, "who": "mallory"}},
        }
        assert httpx.post(f"{server.url}/api", json=claims, headers=curator, timeout=60).status_code == 200
        lines = [json.loads(line) for line in (tmp_path / "journals" / "j.jsonl").read_text().splitlines()]
        assert [(r["action"]["type"], r["who"]) for r in lines] == [("CLOSE_CURATION", "alice"), ("UNDO", "alice")]
    finally:
        server.stop()


def test_runner_token_is_created_once_with_0600_permissions(tmp_path):
    path = tmp_path / "runner" / "token"
    token, created = load_or_create_token(path)
    assert created and len(token) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_token(path) == (token, False)
    os.chmod(path, 0o644)
    with pytest.raises(PermissionError, match="chmod 600"):
        load_or_create_token(path)


def test_non_loopback_bind_requires_the_token_and_never_prints_it(capsys):
    # The server's output is a background runner's log: `sv-runner start` shows the token, the server never does.
    middleware = access_middleware("0.0.0.0")
    assert any(m.cls is AccessMiddleware for m in middleware)
    assert token_path().exists()
    captured = capsys.readouterr()
    assert token_path().read_text().strip() not in captured.out + captured.err
    assert not any(m.cls is AccessMiddleware for m in access_middleware("127.0.0.1"))


def test_cors_allows_figurl_org_only(tmp_path):
    server = ThreadServer(
        create_app(tmp_path / "s", viewer_dir=tmp_path / "v", middleware=access_middleware("127.0.0.1"))
    ).start()
    try:

        def preflight(origin: str) -> httpx.Response:
            headers = {
                "Origin": origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type",
            }
            return httpx.options(f"{server.url}/api", headers=headers, timeout=10)

        allowed = preflight("https://figurl.org")
        assert allowed.status_code == 200 and allowed.headers["access-control-allow-origin"] == "https://figurl.org"
        refused = preflight("https://evil.example")
        assert "access-control-allow-origin" not in refused.headers
    finally:
        server.stop()


def test_bad_handler_config_is_refused_at_start_naming_the_key(tmp_path):
    config = tmp_path / "handlers.yaml"
    config.write_text("job_handlers:\n  correlograms: {type: parallel, params: {num_worker: 2}}\n")
    env = {**os.environ, "SORTINGVIEW_HOME": str(tmp_path / "home"), "SORTINGVIEW_STORE_DIR": str(tmp_path / "store")}
    result = subprocess.run(
        [sys.executable, "-m", "runner.cli", "start", "--port", "0", "--config", str(config)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "job_handlers.correlograms.params.num_worker" in result.stderr
