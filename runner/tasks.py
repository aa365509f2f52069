"""The compute API over HTTP: task style (``/api/tasks``, ``/task_results``) and service queries (``POST /api``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import Path, Query, Request
from pydantic import BaseModel, ValidationError
from starlette.responses import JSONResponse, Response, StreamingResponse

from .compute import (
    ComputeError,
    ComputeService,
    Job,
    ServiceQueryRequest,
    TaskRequest,
    job_status,
    service_query_task,
)
from .errors import BadRequest, RequestError
from .json_body import DEFAULT_MAX_JSON_BYTES, read_json_body
from .task_results import ACTION_JOB_ID_PATTERN, JOB_ID_PATTERN, MAX_TASK_NAME, TASK_NAME_PATTERN

COMPUTE_UNAVAILABLE = "compute is not available on this runner"
SERVICE_QUERY_PATH = "/api"
NO_STORE = {"Cache-Control": "no-store"}
# A service query waits for its answer; a task request returns its status after at most this long.
SERVICE_QUERY_WAIT = 600.0
DEFAULT_TASK_WAIT = 30.0
PAYLOAD_CHUNK_BYTES = 1024 * 1024
TASK_NAME_PATH = Path(
    pattern=TASK_NAME_PATTERN, max_length=MAX_TASK_NAME, description="e.g. sortingview.correlograms.1"
)
JOB_ID_PATH = Path(pattern=ACTION_JOB_ID_PATTERN, description="The job id from setTaskStatus")
CALCULATION_JOB_ID_PATH = Path(pattern=JOB_ID_PATTERN, description="SHA-1 of the calculation's name and input")


def status_response(job: Job) -> JSONResponse:
    """The job's ``setTaskStatus``: 200 when finished, 202 while running, the error's status on error."""
    status = job_status(job)
    code = 200 if job.status == "finished" else 202
    if job.error is not None:
        code = job.error.status_code
    return JSONResponse(status.model_dump(exclude_none=True), status_code=code, headers=NO_STORE)


def read_model(model: type[BaseModel], body: object, what: str) -> BaseModel:
    """A request body checked against its model; what is wrong becomes a 400 naming the fields."""
    try:
        return model.model_validate(body)
    except ValidationError as e:
        problems = "; ".join(f"{'.'.join(map(str, p['loc'])) or 'body'}: {p['msg']}" for p in e.errors())
        raise BadRequest(f"Bad request to {what}: {problems}") from None


def error_response(error: ComputeError | RequestError, reply_type: str = "setTaskStatus") -> JSONResponse:
    """A failed compute request as JSON: ``{"type", "errorMessage"}`` (or the job's status when it has one)."""
    if isinstance(error, RequestError):
        return JSONResponse(
            {"type": reply_type, "errorMessage": error.message}, status_code=error.status_code, headers=error.headers
        )
    if error.status is not None:
        return JSONResponse(error.status.model_dump(exclude_none=True), status_code=error.status_code)
    return JSONResponse({"type": reply_type, "errorMessage": error.message}, status_code=error.status_code)


async def answer_compute_error(request: Request, error: Exception) -> Response:
    """The one place an error of a compute route becomes its answer (``app.py`` registers it).

    The reply type is the one the route answers with: ``serviceQueryResponse`` for ``POST /api``, else
    ``setTaskStatus``.
    """
    assert isinstance(error, (ComputeError, RequestError))
    reply_type = "serviceQueryResponse" if request.url.path == SERVICE_QUERY_PATH else "setTaskStatus"
    return error_response(error, reply_type)


class ComputeRoutes:
    """Endpoints of the compute API; ``service`` is None on a runner started without compute."""

    def __init__(self, service: ComputeService | None, max_json_bytes: int = DEFAULT_MAX_JSON_BYTES):
        self.service = service
        self.max_json_bytes = max_json_bytes

    def require(self) -> ComputeService:
        if self.service is None:
            raise ComputeError(503, COMPUTE_UNAVAILABLE)
        return self.service

    async def request_task(
        self,
        http_request: Request,
        wait: float = Query(
            DEFAULT_TASK_WAIT, ge=0, le=SERVICE_QUERY_WAIT, description="Seconds to wait for the result"
        ),
        timeout: float | None = Query(None, gt=0, description="Seconds the task may run (default 60, at most 600)"),
    ) -> Response:
        """``requestTask``: start, join or answer from the cache; the reply is the job's ``setTaskStatus``."""
        service = self.require()
        body = await read_json_body(http_request, self.max_json_bytes)
        request = read_model(TaskRequest, body, "POST /api/tasks")
        job = await service.request(
            request, wait=wait, timeout=timeout, may_curate=may_curate(http_request), curator=curator(http_request)
        )
        return status_response(job)

    async def task_status(self, task_name: str = TASK_NAME_PATH, job_id: str = JOB_ID_PATH) -> Response:
        """The ``setTaskStatus`` of a job (with its result once finished)."""
        return status_response(self.require().find(task_name, job_id))

    async def cancel_task(self, task_name: str = TASK_NAME_PATH, job_id: str = JOB_ID_PATH) -> Response:
        """Cancel a running job (its worker is stopped); a finished job is left as it is."""
        job = self.require().cancel(task_name, job_id)
        return JSONResponse(job_status(job, include_result=False).model_dump(exclude_none=True), headers=NO_STORE)

    async def task_result(self, task_name: str = TASK_NAME_PATH, job_id: str = CALCULATION_JOB_ID_PATH) -> Response:
        """A finished calculation's cached result, as stored under ``task_results/`` (immutable)."""
        cached = await self.require().cached_result(task_name, job_id)
        if cached is None:
            return JSONResponse({"errorMessage": f"no cached result of {task_name} job {job_id}"}, status_code=404)
        headers = {"Cache-Control": "public, max-age=31536000, immutable", "ETag": f'"{job_id}"'}
        return Response(cached[0], media_type="application/json", headers=headers)

    async def service_query(self, http_request: Request) -> Response:
        """A figurl ``serviceQuery``: the reply is JSON, then a newline and the binary payload if there is one."""
        service = self.require()
        body = await read_json_body(http_request, self.max_json_bytes)
        query = read_model(ServiceQueryRequest, body, "POST /api")
        request, timeout = service_query_task(query)
        wait = query_wait(query.query)
        job = await service.request(
            request,
            wait=SERVICE_QUERY_WAIT if wait is None else wait,
            timeout=timeout,
            may_curate=may_curate(http_request),
            curator=curator(http_request),
        )
        if job.error is not None:
            return error_response(job.error, reply_type="serviceQueryResponse")
        if job.status != "finished" and wait is not None:
            # asked to answer early (a summary page polls this way): the job's state and progress, no result yet
            status = job_status(job, include_result=False)
            pending = {"type": "serviceQueryResponse", **status.model_dump(exclude_none=True, exclude={"type"})}
            return JSONResponse(pending, status_code=202, headers=NO_STORE)
        if job.status != "finished":
            raise ComputeError(504, f"{request.taskName} is still running")
        head = b'{"type":"serviceQueryResponse","result":' + job.result_json + b"}"
        if job.payload is None:
            return Response(head, media_type="application/json", headers=NO_STORE)
        # handlers may give the payload as a numpy array: it is sent from its memory, not copied
        payload = memoryview(job.payload).cast("B")
        headers = {**NO_STORE, "Content-Length": str(len(head) + 1 + payload.nbytes)}
        return StreamingResponse(
            json_then_payload(head, payload), media_type="application/octet-stream", headers=headers
        )


def query_wait(query: dict) -> float | None:
    """``query.wait``: seconds to wait before answering with the job's progress (202), else None (wait for the result)."""
    wait = query.get("wait")
    if wait is None:
        return None
    if isinstance(wait, bool) or not isinstance(wait, (int, float)) or not 0 <= wait <= SERVICE_QUERY_WAIT:
        raise ComputeError(
            400, f"query.wait must be a number of seconds from 0 to {SERVICE_QUERY_WAIT:g}, got {wait!r}"
        )
    return float(wait)


async def json_then_payload(head: bytes, payload: memoryview) -> AsyncIterator[bytes | memoryview]:
    yield head + b"\n"
    # In slices (views, not copies): uvicorn's h11 copies each chunk into new bytes and asyncio buffers what
    # the socket does not take at once, so a 46 MB chunk cost two fresh 46 MB allocations (page faults, ~2 GB/s
    # here); 1 MB slices reuse warm memory. A 1 s x 384-channel window went from ~78 to ~25 ms on the wire.
    for start in range(0, payload.nbytes, PAYLOAD_CHUNK_BYTES):
        yield payload[start : start + PAYLOAD_CHUNK_BYTES]


def may_curate(request: Request) -> bool:
    """Set by the access middleware; a runner without it (loopback) lets anyone curate."""
    return request.scope.get("state", {}).get("may_curate", True)


def curator(request: Request) -> str | None:
    """The name of the curator token the request showed (set by the access middleware), else None."""
    return request.scope.get("state", {}).get("curator")
