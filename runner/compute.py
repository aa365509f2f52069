"""The compute API: tasks (request, status, cancel) and figurl service queries, run by the executor.

Calculations are cached by job id; a request for a job already running joins it; every request has a
timeout; errors come back as a status with a message, never as a wedged server.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from pydantic import BaseModel, Field

from .access import CURATION_TASKS
from .curation_feeds import CurationFeedRefused, CurationFeeds
from .executor import RayExecutor
from .handlers import HandlerInputError, HandlerSpec, get_handler
from .handlers.curation import journal_name
from .task_results import (
    ACTION_JOB_ID_PATTERN,
    MAX_TASK_NAME,
    TASK_NAME_PATTERN,
    TaskResultCache,
    calculation_job_id,
    result_json_bytes,
)
from .worker_pool import HandlerFailed, TaskTimeout, WorkerDied

logger = logging.getLogger(__name__)

SERVICE_NAME = "sortingview"
DEFAULT_TIMEOUT = 60.0
MAX_TIMEOUT = 600.0
MAX_STATUSES = 10_000
# Result JSON kept in the job table, in bytes: a correlograms result of many units is 5-9 MB, and forty of them
# held 670 MB. The table keeps a finished calculation only until task_results/ holds it (actions, errors and
# results too large to cache stay), and at most this many bytes of them.
MAX_TABLE_BYTES = 64 * 1024 * 1024
# Larger payloads (full-resolution traces windows) are not written to task_results/: writing a 1 s x 384
# channel window took longer than computing it again (a few ms), and the cache would grow by a copy of every
# window anyone viewed. Decimated windows (3 MB of int16 at 2000 points) stay cached.
MAX_CACHED_PAYLOAD_BYTES = 8 * 1024 * 1024


class TaskRequest(BaseModel):
    """``requestTask``: run a calculation (cached) or an action (never cached)."""

    type: Literal["requestTask"] = "requestTask"
    taskType: Literal["calculation", "action"]
    taskName: str = Field(pattern=TASK_NAME_PATTERN, max_length=MAX_TASK_NAME)
    taskInput: dict[str, Any]
    taskJobId: str | None = Field(
        None, pattern=ACTION_JOB_ID_PATTERN, description="For a calculation, must equal SHA-1 of its name and input"
    )


class TaskStatus(BaseModel):
    """``setTaskStatus``: where a job is; ``result`` once finished."""

    type: Literal["setTaskStatus"] = "setTaskStatus"
    taskName: str
    taskJobId: str
    status: Literal["waiting", "started", "finished", "error"]
    errorMessage: str | None = None
    result: Any | None = Field(None, description="The result, ndarrays encoded as in figure data")
    hasPayload: bool = False
    progress: dict[str, Any] | None = Field(
        None, description="A sorting job's phase, node, elapsedSec and logTail while it runs (and after an error)"
    )


class ServiceQueryRequest(BaseModel):
    """A figurl ``serviceQuery`` forwarded by the host page (``POST /api``)."""

    type: Literal["serviceQueryRequest"] = "serviceQueryRequest"
    serviceName: str
    query: dict[str, Any] = Field(description='{"taskName": ..., "taskInput": {...}, "timeout"?: seconds}')
    userId: str | None = None


class ComputeError(Exception):
    """A failed request; ``status_code`` is what HTTP answers."""

    def __init__(self, status_code: int, message: str, status: TaskStatus | None = None):
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.status = status


@dataclass
class Job:
    name: str
    job_id: str
    kind: str
    status: str = "waiting"
    error: ComputeError | None = None
    result_json: bytes | None = None
    payload: bytes | None = None
    task: asyncio.Task | None = None
    started: float = field(default_factory=time.monotonic)
    has_payload: bool = False  # kept when the table lets go of the payload itself
    input_id: str = ""  # SHA-1 of name and input: a taskJobId sent again with another input is refused
    progress: dict = field(default_factory=dict)  # what a sorting job reports while it runs
    created_at: float = field(default_factory=time.time)  # wall clock, for the job table
    task_input: dict | None = None  # kept for sorting jobs, which the job table lists

    @property
    def key(self) -> tuple[str, str]:
        return (self.name, self.job_id)


class ComputeService:
    """Runs handler tasks for the HTTP layer.

    Parameters
    ----------
    executor : RayExecutor
        Where handlers run.
    cache : TaskResultCache
        Where finished calculations are kept.
    feeds : CurationFeeds | None
        The workspaces' curation feeds, whose authorized users a curation action is checked against (none:
        not checked).
    """

    def __init__(self, executor: RayExecutor, cache: TaskResultCache, feeds: CurationFeeds | None = None):
        self.executor = executor
        self.cache = cache
        self.feeds = feeds
        # Keyed by (task name, job id): an action's client-chosen id never names another task's job.
        self.jobs: OrderedDict[tuple[str, str], Job] = OrderedDict()
        # Results being written to the cache, by job id: answers do not wait for the disk.
        self.cache_writes: dict[str, asyncio.Task] = {}

    def check_timeout(self, timeout: float | None, spec: HandlerSpec | None = None) -> float:
        default = (spec and spec.default_timeout) or DEFAULT_TIMEOUT
        maximum = (spec and spec.max_timeout) or MAX_TIMEOUT
        if timeout is None:
            return default
        if not 0 < timeout <= maximum:
            raise ComputeError(400, f"timeout must be between 0 and {maximum:g} seconds, got {timeout}")
        return float(timeout)

    async def request(
        self,
        request: TaskRequest,
        wait: float,
        timeout: float | None = None,
        may_curate: bool = True,
        curator: str | None = None,
    ) -> Job:
        """Start (or join, or answer from the cache) a task and wait up to ``wait`` seconds for it.

        A curation action is recorded as made by ``curator`` (the curator token's name), else "local"; the
        server says who, never the client.
        """
        if request.taskName in CURATION_TASKS and not may_curate:
            raise ComputeError(
                403, "curation actions on this runner need a curator token listed under 'curators:' in its config"
            )
        if request.taskName in CURATION_TASKS:
            request = request.model_copy(update={"taskInput": {**request.taskInput, "who": curator or "local"}})
            await self._check_feed(request.taskInput)
        try:
            spec = get_handler(request.taskName)
            # A job key (sorting jobs) checks the input first and names what the job id hashes.
            hashed = request.taskInput if spec.job_key is None else spec.job_key(request.taskInput)
        except HandlerInputError as e:
            raise ComputeError(400, str(e)) from None
        timeout = self.check_timeout(timeout, spec)
        if spec.kind != request.taskType:
            raise ComputeError(400, f"{request.taskName} is an {spec.kind}, not an {request.taskType}; set taskType")
        input_id = calculation_job_id(request.taskName, hashed)
        if spec.kind == "calculation":
            job_id = input_id
            if request.taskJobId is not None and request.taskJobId != job_id:
                raise ComputeError(400, f"taskJobId {request.taskJobId} is not SHA-1 of the name and input ({job_id})")
            cached = self.cache.get(request.taskName, job_id)
            if cached is not None:
                return cached_job(request.taskName, job_id, cached)
        else:
            job_id = request.taskJobId or secrets.token_hex(20)
        job = self.jobs.get((request.taskName, job_id))
        if job is not None and job.input_id != input_id:
            raise ComputeError(
                409,
                f"taskJobId {job_id} already names a {request.taskName} job with another input; "
                "give each new action a new taskJobId",
            )
        # Run it (again) if it never ran, failed, or finished with a payload the table no longer holds.
        if job is None or job.status == "error" or (job.has_payload and job.payload is None):
            job = Job(request.taskName, job_id, spec.kind, input_id=input_id)
            if spec.job_key is not None:
                job.task_input = request.taskInput
            job.task = asyncio.create_task(self._run(job, request.taskInput, timeout))
            self._remember(job)
        if job.task is not None and not job.task.done() and wait > 0:
            try:
                await asyncio.wait_for(asyncio.shield(job.task), wait)
            except asyncio.TimeoutError:
                pass
        return job

    async def _check_feed(self, task_input: dict) -> None:
        """Refuse (403) a curation action from a curator the journal's workspace feeds do not authorize."""
        if self.feeds is None:
            return
        try:
            journal = journal_name(task_input.get("journal"))
        except HandlerInputError:
            return  # the handler refuses the name (400)
        try:
            await asyncio.to_thread(self.feeds.check, journal, task_input["who"])
        except CurationFeedRefused as e:
            raise ComputeError(403, str(e)) from None

    async def _run(self, job: Job, task_input: dict, timeout: float) -> None:
        job.status = "started"
        try:
            if job.task_input is None:
                result = await self.executor.run(job.name, task_input, timeout)
            else:
                result = await self.executor.run(job.name, task_input, timeout, job.job_id, job.progress)
            payload = result.payload_view()
            job.result_json = await asyncio.to_thread(result_json_bytes, result)
            job.payload = result.payload
            job.has_payload = payload is not None
            job.status = "finished"
            if job.kind == "calculation" and (payload is None or payload.nbytes <= MAX_CACHED_PAYLOAD_BYTES):
                self._write_to_cache(job, payload)
            self._release_payload(job)
            self._trim()
        except HandlerInputError as e:
            job.error = ComputeError(400, str(e))
        except TaskTimeout as e:
            job.error = ComputeError(504, str(e))
        except WorkerDied as e:
            job.error = ComputeError(502, str(e))
        except HandlerFailed as e:
            job.error = ComputeError(500, str(e))
        except asyncio.CancelledError:
            job.error = ComputeError(409, f"{job.name} job {job.job_id} was cancelled")
        except Exception as e:  # the server must keep serving whatever a task does
            job.error = ComputeError(500, f"{job.name} failed: {type(e).__name__}: {e}")
        if job.error is not None:
            job.status = "error"

    def _write_to_cache(self, job: Job, payload: memoryview | None) -> None:
        """Write a finished calculation to ``task_results/`` in the background.

        Waiting for it (two files, each flushed to disk) added a few ms to every fresh answer; the
        job table answers repeats of the job meanwhile, and ``cached_result`` waits for the write.
        """
        write = asyncio.create_task(asyncio.to_thread(self.cache.put, job.name, job.job_id, job.result_json, payload))
        self.cache_writes[job.job_id] = write

        def done(write: asyncio.Task) -> None:
            self.cache_writes.pop(job.job_id, None)
            if not write.cancelled() and write.exception() is not None:
                logger.warning("the result of %s job %s was not cached: %s", job.name, job.job_id, write.exception())
            elif not write.cancelled():
                self._forget_cached(job)

        write.add_done_callback(done)

    def _forget_cached(self, job: Job) -> None:
        """Let go of a calculation once ``task_results/`` holds it: repeats and status queries read it from there."""
        kept = self.jobs.get(job.key)
        if kept is not None and kept.status == "finished" and kept.result_json is job.result_json:
            del self.jobs[job.key]

    async def cached_result(self, task_name: str, job_id: str) -> tuple[bytes, bytes | None] | None:
        """A calculation's stored ``(result JSON, payload)`` once any write of it has ended, or None."""
        write = self.cache_writes.get(job_id)
        if write is not None:
            try:
                await asyncio.shield(write)
            except Exception:
                pass  # a failed write leaves no result: the caller answers 404 and the job can run again
        try:
            return self.cache.get(task_name, job_id)
        except ValueError as e:
            raise ComputeError(400, str(e)) from None

    def _release_payload(self, job: Job) -> None:
        """Keep a finished job's status in the table, not its payload.

        A payload from Ray is a zero-copy view into the object store: kept in the table for every finished
        job, a few full-resolution traces windows filled a 256 MB store and the next request stalled ~2 s
        while Ray spilled them. The requests waiting for this job hold the job object itself and still
        answer with the payload; the table gets a copy without it.
        """
        if job.payload is not None and self.jobs.get(job.key) is job:
            self.jobs[job.key] = replace(job, payload=None, task=None)

    def _remember(self, job: Job) -> None:
        self.jobs.pop(job.key, None)  # a job run again goes to the end: it is the newest
        self.jobs[job.key] = job
        self._trim()

    @property
    def table_bytes(self) -> int:
        """Bytes of result JSON held by the jobs of the table."""
        return sum(len(job.result_json or b"") for job in self.jobs.values())

    def _trim(self) -> None:
        """Forget the oldest ended jobs while the table holds more than ``MAX_STATUSES`` jobs or ``MAX_TABLE_BYTES``.

        Jobs still running stay (requests wait on them). A forgotten calculation is answered from the cache.
        """
        held = self.table_bytes
        for key in list(self.jobs):
            if len(self.jobs) <= MAX_STATUSES and held <= MAX_TABLE_BYTES:
                return
            job = self.jobs[key]
            if job.task is not None and not job.task.done() and job.status != "finished":
                continue
            del self.jobs[key]
            held -= len(job.result_json or b"")

    def find(self, task_name: str, job_id: str) -> Job:
        job = self.jobs.get((task_name, job_id))
        if job is not None:
            return job
        try:
            cached = self.cache.get(task_name, job_id)
        except ValueError as e:
            raise ComputeError(400, str(e)) from None
        if cached is None:
            raise ComputeError(404, f"no job {job_id} of {task_name} on this runner")
        return cached_job(task_name, job_id, cached)

    def cancel(self, task_name: str, job_id: str) -> Job:
        job = self.find(task_name, job_id)
        if job.task is not None and not job.task.done():
            job.task.cancel()
        return job


def cached_job(task_name: str, job_id: str, cached: tuple[bytes, bytes | None]) -> Job:
    """A finished calculation read from the cache."""
    result_json, payload = cached
    return Job(
        task_name,
        job_id,
        "calculation",
        "finished",
        result_json=result_json,
        payload=payload,
        has_payload=payload is not None,
    )


def job_status(job: Job, include_result: bool = True) -> TaskStatus:
    """The ``setTaskStatus`` message of a job."""
    status = TaskStatus(taskName=job.name, taskJobId=job.job_id, status=job.status)
    if job.error is not None:
        status.errorMessage = job.error.message
    if job.status == "finished" and include_result and job.result_json is not None:
        status.result = json.loads(job.result_json)
        status.hasPayload = job.has_payload
    if job.progress:
        status.progress = dict(job.progress)
    return status


def service_query_task(body: ServiceQueryRequest) -> tuple[TaskRequest, float | None]:
    """Read a service query as a task request."""
    if body.serviceName != SERVICE_NAME:
        raise ComputeError(404, f"unknown service {body.serviceName!r}; this runner serves {SERVICE_NAME!r}")
    query = body.query
    name = query.get("taskName")
    task_input = query.get("taskInput", {})
    timeout = query.get("timeout")
    if not isinstance(name, str) or not isinstance(task_input, dict):
        raise ComputeError(400, 'a query is {"taskName": "<name>", "taskInput": {...}}')
    if timeout is not None and not isinstance(timeout, (int, float)):
        raise ComputeError(400, "query.timeout must be a number of seconds")
    try:
        kind = get_handler(name).kind
    except HandlerInputError as e:
        raise ComputeError(400, str(e)) from None
    return TaskRequest(taskType=kind, taskName=name, taskInput=task_input), timeout
