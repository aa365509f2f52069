"""``POST /api/workspaces/<id>/sortings/<id>/summary``: what the home page's "open summary" button asks for.

The runner does what ``W.spikesortingview`` does with a runner: it checks the sorting and its recording, starts
the summary job (``sortingview.sorting_summary.1``) on its compute service, records the figure in the workspace
and answers the figURL, which the page then opens (it shows the job's progress, then the summary).
"""

from __future__ import annotations

from typing import Any

from fastapi import Body, Path
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from spikeinterface_sortingview.store import LocalStore, read_pointer
from spikeinterface_sortingview.workspace.snapshot import UnknownIdError, WorkspaceError
from spikeinterface_sortingview.workspace.summary import SUMMARY_TASK
from spikeinterface_sortingview.workspace.workspace import POINTER_NAMESPACE, Workspace

from .compute import ComputeError, ComputeService, TaskRequest
from .status import RunnerStatus

NO_STORE = {"Cache-Control": "no-store"}
WORKSPACE_ID_PATH = Path(pattern=r"^[0-9a-f]{20}$", description="The workspace's id (its URI without sv-workspace://)")
SORTING_ID_PATH = Path(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="A sorting id of the workspace (S-...)")


class SummaryOptions(BaseModel):
    """What ``W.spikesortingview`` passes on for a workspace read from this runner (the page sends nothing)."""

    model_config = ConfigDict(extra="forbid")
    label: str | None = Field(None, max_length=500, description="The figure's label; default: recording / sorting")
    params: dict[str, Any] | None = Field(None, description="The summary job's params (docs/compute-api.md)")


OPTIONS_BODY = Body(None, description="Optional: the figure's label and the job's params")


class SummaryRoutes:
    """The summary route; ``service`` is None on a runner without compute (503)."""

    def __init__(self, store: LocalStore, service: ComputeService | None, status: RunnerStatus):
        self.store = store
        self.service = service
        self.status = status

    async def open_summary(
        self,
        request: Request,
        workspace_id: str = WORKSPACE_ID_PATH,
        sorting_id: str = SORTING_ID_PATH,
        options: SummaryOptions | None = OPTIONS_BODY,
    ) -> JSONResponse:
        """Start (or find cached) the summary of a sorting: ``{"url", "link", "taskJobId", "status"}``.

        ``url`` is the figURL at the runner's public address (or the one the request came to), ``link`` the same
        relative to the home page (what its button opens, so it works behind a path prefix too).

        ``options`` (optional JSON body): the figure's ``label`` and the job's ``params``.

        404 for an unknown workspace or sorting, 400 for a recording that cannot be read (its file gone) or a
        job the compute service refuses, 503 without compute.
        """
        options = options or SummaryOptions()
        if self.service is None:
            raise ComputeError(503, "this runner has no compute: start it without --no-compute to compute summaries")
        if read_pointer(self.store, f"{POINTER_NAMESPACE}/{workspace_id}") is None:
            raise ComputeError(404, f"no workspace sv-workspace://{workspace_id} in this runner's store")
        workspace = Workspace(workspace_id, self.store)
        try:
            recording_id = (await run_in_threadpool(workspace.get_sorting_record, sorting_id))["recording_id"]
            task_input = await run_in_threadpool(workspace.summary_task, recording_id, sorting_id, options.params)
        except UnknownIdError as e:
            raise ComputeError(404, str(e)) from None
        except WorkspaceError as e:
            raise ComputeError(400, str(e)) from None
        task = TaskRequest(taskType="calculation", taskName=SUMMARY_TASK, taskInput=task_input)
        job = await self.service.request(task, wait=0)
        if job.error is not None:
            raise ComputeError(job.error.status_code, job.error.message)
        address = self.status.public_url or str(request.base_url).rstrip("/")
        url = await run_in_threadpool(
            workspace.record_summary, recording_id, sorting_id, task_input, options.label, address, f"{address}/viewer"
        )
        query = url.split("?", 1)[1]
        return JSONResponse(
            {"url": url, "link": f"f?{query}", "taskJobId": job.job_id, "status": job.status}, headers=NO_STORE
        )
