"""The runner's web app: its routing table, read top to bottom, and the one place errors become responses."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response

from spikeinterface_sortingview._version import __version__
from spikeinterface_sortingview.store import LocalStore

from . import api_schema as doc
from .compute import ComputeError, ComputeService
from .errors import RequestError, ViewerNotBuilt
from .files import DEFAULT_MAX_UPLOAD_BYTES, StoreFiles
from .home import HomePage
from .json_body import DEFAULT_MAX_JSON_BYTES
from .pointers import POINTER_RESPONSES, StorePointers
from .sorting_table import SortingJobRoutes
from .status import RunnerStatus
from .summary_routes import SummaryRoutes
from .tasks import ComputeRoutes, answer_compute_error
from .viewer_files import ViewerFiles, default_viewer_dir, not_built_response

ROUTES_HINT = (
    "This runner serves /f (figures), /viewer/, /sha1/<hash>, /pointers/<namespace>/<name>, /api (compute), "
    "/api/tasks, /api/jobs and /jobs (sorting jobs), /api/workspaces and / (the store's workspaces), /health and /openapi.json."
)


def create_app(
    store_dir: str | Path,
    viewer_dir: str | Path | None = None,
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
    allowed_hosts: list[str] | None = None,
    compute: ComputeService | None = None,
    middleware: list[Middleware] | None = None,
    max_json_bytes: int = DEFAULT_MAX_JSON_BYTES,
    background: Sequence[Callable[[], Awaitable[None]]] = (),
    public_url: str | None = None,
) -> FastAPI:
    """Build the runner's app.

    Parameters
    ----------
    store_dir : str | Path
        The local store whose files are served under ``/sha1/`` and written by ``POST /sha1``.
    viewer_dir : str | Path | None
        The built viewer bundle; ``$SORTINGVIEW_VIEWER_DIR`` or the package's ``viewer/dist`` by default.
    max_upload_bytes : int
        Largest body ``POST /sha1`` accepts.
    allowed_hosts : list[str] | None
        Host names the ``Host`` header may carry; None accepts any. A runner bound to loopback passes its
        loopback names so that a web page cannot reach it through DNS rebinding.
    compute : ComputeService | None
        Runs handler tasks; without it the compute API answers 503.
    middleware : list[Middleware] | None
        More middleware, outermost first (access control, CORS).
    max_json_bytes : int
        Largest JSON body ``POST /api`` and ``POST /api/tasks`` accept (413 above).
    background : Sequence[Callable[[], Awaitable[None]]]
        Coroutine functions started when the app starts serving and not waited for (requests are answered
        meanwhile); those still running when it stops are cancelled. E.g. starting Ray ahead of the first request.
    public_url : str | None
        The address others reach the runner at, given as ``url`` by ``/health`` (figURLs on this runner
        start with it).
    """
    store_files = StoreFiles(LocalStore(store_dir), max_upload_bytes=max_upload_bytes)
    viewer = ViewerFiles(Path(viewer_dir) if viewer_dir is not None else default_viewer_dir())
    status = RunnerStatus(str(Path(store_dir).expanduser()), public_url)
    tasks = ComputeRoutes(compute, max_json_bytes=max_json_bytes)
    pointers = StorePointers(LocalStore(store_dir))
    sorting_jobs = SortingJobRoutes(compute)
    home = HomePage(LocalStore(store_dir), status)
    summaries = SummaryRoutes(LocalStore(store_dir), compute, status)

    routes = [
        APIRoute("/", home.page, methods=["GET"], include_in_schema=False),
        APIRoute("/health", status.health, methods=["GET"], summary="Status check: version, pid, store folder"),
        *get_and_head(
            "/f",
            viewer.host_page,
            summary="Host page of a figure: /f?v=..&d=..&s=..&label=..",
            response_class=HTMLResponse,
            responses=doc.HOST_PAGE_RESPONSES,
        ),
        *get_and_head(
            "/viewer/{path:path}", viewer.file, summary="Files of the viewer bundle", responses=doc.VIEWER_RESPONSES
        ),
        *get_and_head(
            "/sha1/{sha1}", store_files.get, summary="A stored file (Range, ETag)", responses=doc.FILE_RESPONSES
        ),
        APIRoute(
            "/sha1/missing",
            store_files.missing,
            methods=["POST"],
            summary='Which of these files the store lacks: {"sha1": [hashes]} -> {"missing": [hashes]}',
            openapi_extra=doc.MISSING_REQUEST_BODY,
            responses=doc.MISSING_RESPONSES,
        ),
        APIRoute(
            "/sha1/{sha1}",
            store_files.put,
            methods=["PUT"],
            summary="Upload a file under its hash; stored only if the body's SHA-1 is <hash>",
            openapi_extra=doc.UPLOAD_REQUEST_BODY,
            responses=doc.UPLOAD_RESPONSES,
        ),
        APIRoute(
            "/sha1",
            store_files.post,
            methods=["POST"],
            summary='Store the body\'s bytes; replies {"uri": "sha1://<hash>"}',
            openapi_extra=doc.STORE_REQUEST_BODY,
            responses=doc.STORE_RESPONSES,
        ),
        APIRoute(
            "/pointers/{namespace}/{name}",
            pointers.get,
            methods=["GET"],
            summary="A named pointer (a workspace's current snapshot): JSON {name, uri, seq, time}",
            responses=POINTER_RESPONSES,
        ),
        APIRoute(
            "/api",
            tasks.service_query,
            methods=["POST"],
            summary="A figurl service query: runs a task; replies JSON, then newline + binary payload if any",
            openapi_extra=doc.SERVICE_QUERY_BODY,
            responses=doc.SERVICE_QUERY_RESPONSES,
        ),
        APIRoute(
            "/api/tasks",
            tasks.request_task,
            methods=["POST"],
            summary="requestTask: run a calculation (cached by job id) or an action; replies setTaskStatus",
            openapi_extra=doc.TASK_REQUEST_BODY,
            responses=doc.TASK_STATUS_RESPONSES,
        ),
        APIRoute(
            "/api/tasks/{task_name}/{job_id}",
            tasks.task_status,
            methods=["GET"],
            summary="Status of a job",
            responses=doc.JOB_RESPONSES,
        ),
        APIRoute(
            "/api/tasks/{task_name}/{job_id}",
            tasks.cancel_task,
            methods=["DELETE"],
            summary="Cancel a job",
            responses=doc.CANCEL_RESPONSES,
        ),
        APIRoute(
            "/api/jobs", sorting_jobs.list_jobs, methods=["GET"], summary="The sorting jobs: state, time, node, log"
        ),
        APIRoute(
            "/api/workspaces",
            home.workspaces,
            methods=["GET"],
            summary="The store's workspaces: recordings, sortings (curation status), figures; and the runner's facts",
        ),
        APIRoute(
            "/api/workspaces/{workspace_id}/sortings/{sorting_id}/summary",
            summaries.open_summary,
            methods=["POST"],
            summary="Start (or find cached) a sorting's summary computed on Ray; record it; answer its figURL",
            responses=doc.SUMMARY_RESPONSES,
        ),
        APIRoute("/jobs", sorting_jobs.page, methods=["GET"], include_in_schema=False),
        APIRoute(
            "/task_results/{task_name}/{job_id}",
            tasks.task_result,
            methods=["GET"],
            summary="A finished calculation's cached result (JSON, ndarrays encoded as in figures)",
            responses=doc.TASK_RESULT_RESPONSES,
        ),
    ]
    middleware = list(middleware or [])
    if allowed_hosts:
        middleware.append(Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts))
    app = FastAPI(
        title="sortingview runner",
        version=__version__,
        routes=routes,
        middleware=middleware,
        # FastAPI's /docs and /redoc pages load their scripts from a CDN; the runner must work offline.
        docs_url=None,
        redoc_url=None,
        lifespan=run_in_background(background),
        exception_handlers={
            ComputeError: answer_compute_error,
            RequestError: answer_request_error,
            HTTPException: answer_http_exception,
            RequestValidationError: answer_validation_error,
        },
    )
    doc.install_schema(app)
    return app


def run_in_background(starts: Sequence[Callable[[], Awaitable[None]]]) -> Callable[[FastAPI], Any]:
    """A lifespan that starts ``starts`` as tasks once the app serves, and cancels those still running at its end."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        tasks = [asyncio.ensure_future(start()) for start in starts]
        yield
        for task in tasks:
            task.cancel()

    return lifespan


def get_and_head(path: str, endpoint: Callable[..., Any], **kwargs: Any) -> list[APIRoute]:
    """A GET route and its HEAD twin (kept out of the schema, where it would repeat the GET operation)."""
    return [
        APIRoute(path, endpoint, methods=["GET"], **kwargs),
        APIRoute(path, endpoint, methods=["HEAD"], include_in_schema=False),
    ]


async def answer_request_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestError)
    if doc.is_compute_path(request.url.path):
        return await answer_compute_error(request, exc)
    if isinstance(exc, ViewerNotBuilt):
        return not_built_response(exc.message)
    return PlainTextResponse(exc.message + "\n", status_code=exc.status_code, headers=exc.headers)


async def answer_http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = exc.detail
    if exc.status_code == 404:
        message = f"No such page: {request.url.path}. {ROUTES_HINT}"
    elif exc.status_code == 405:
        message = f"{request.method} is not allowed on {request.url.path}. {ROUTES_HINT}"
    return PlainTextResponse(message + "\n", status_code=exc.status_code, headers=exc.headers)


async def answer_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
    message = f"Bad request to {request.url.path}: {problems}"
    if doc.is_compute_path(request.url.path):
        return JSONResponse({"errorMessage": message}, status_code=400)
    return PlainTextResponse(message + "\n", status_code=400)
