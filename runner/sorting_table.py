"""The table of sorting jobs: running and failed ones from the job table, finished ones from the result cache.

``GET /api/jobs`` answers it as JSON, ``GET /jobs`` as a page, ``sv-runner jobs`` prints it.
"""

from __future__ import annotations

import html
import json
import time
from pathlib import Path

from starlette.responses import HTMLResponse, JSONResponse

from .compute import ComputeService, Job
from .handlers.sorting_jobs import SORTER_TASK

NO_STORE = {"Cache-Control": "no-store"}
# Finished jobs read from task_results/ for the table, newest first.
MAX_LISTED_RESULTS = 500
PAGE_REFRESH_SECONDS = 5


def running_entry(job: Job) -> dict:
    """A job of the job table (waiting, started, failed, or finished and not yet cached)."""
    task_input = job.task_input or {}
    progress = job.progress or {}
    entry = {
        "taskName": job.name,
        "jobId": job.job_id,
        "status": job.status,
        "sorterName": task_input.get("sorter_name"),
        "recordingUri": task_input.get("recording_uri"),
        "params": task_input.get("params", {}),
        "submittedAt": job.created_at,
        # an ended job keeps the time its worker last reported; a running one counts on
        "elapsedSec": progress.get("elapsedSec") if job.status == "error" else round(time.time() - job.created_at, 1),
        "node": progress.get("node"),
        "phase": progress.get("phase"),
        "log": progress.get("logTail", ""),
    }
    if job.error is not None:
        entry["errorMessage"] = job.error.message
    if job.status == "finished" and job.result_json is not None:
        entry.update(finished_fields(json.loads(job.result_json)))
    return entry


def finished_fields(result: dict) -> dict:
    return {
        "sorterName": result.get("sorterName"),
        "recordingUri": result.get("recordingUri"),
        "params": result.get("params", {}),
        "node": result.get("node"),
        "submittedAt": result.get("startedAt"),
        "runTimeSec": result.get("runTimeSec"),
        "jobTimeSec": result.get("jobTimeSec"),
        "peakMemoryBytes": result.get("peakMemoryBytes"),
        "sortingUri": result.get("sortingUri"),
        "numUnits": result.get("numUnits"),
        "log": result.get("log", ""),
        "phase": "finished",
    }


def cached_entries(service: ComputeService) -> list[dict]:
    """Finished sorting jobs stored under ``task_results/``, newest first."""
    folder = Path(service.cache.directory) / SORTER_TASK
    files = [p for p in folder.glob("*/*/*/*") if p.is_file() and "." not in p.name] if folder.is_dir() else []
    files.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    entries = []
    for path in files[:MAX_LISTED_RESULTS]:
        try:
            result = json.loads(path.read_bytes())
        except (OSError, ValueError):
            continue  # being written, or damaged: the cache check answers for it
        entries.append({"taskName": SORTER_TASK, "jobId": path.name, "status": "finished", **finished_fields(result)})
    return entries


def sorting_jobs(service: ComputeService) -> list[dict]:
    """Every sorting job the runner knows: those in its job table first (newest first), then the cached ones."""
    table = [running_entry(job) for job in reversed(service.jobs.values()) if job.name == SORTER_TASK]
    known = {entry["jobId"] for entry in table}
    return table + [entry for entry in cached_entries(service) if entry["jobId"] not in known]


class SortingJobRoutes:
    """``GET /api/jobs`` and ``GET /jobs``; ``service`` is None on a runner without compute."""

    def __init__(self, service: ComputeService | None):
        self.service = service

    def jobs(self) -> list[dict]:
        return [] if self.service is None else sorting_jobs(self.service)

    async def list_jobs(self) -> JSONResponse:
        """The sorting jobs: ``{"jobs": [{jobId, status, sorterName, recordingUri, node, ..., log}]}``."""
        return JSONResponse({"jobs": self.jobs()}, headers=NO_STORE)

    async def page(self) -> HTMLResponse:
        """A page listing the sorting jobs (state, time, node, log), refreshed every few seconds."""
        rows = "".join(job_row(job) for job in self.jobs()) or '<tr><td colspan="8">No sorting jobs yet.</td></tr>'
        page = (
            "<!doctype html><html><head><meta charset='utf-8'><title>Sorting jobs</title>"
            f"<meta http-equiv='refresh' content='{PAGE_REFRESH_SECONDS}'>"
            "<style>body{font:14px system-ui,sans-serif;margin:16px}table{border-collapse:collapse}"
            "td,th{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}"
            "th{background:#f4f5f7}pre{max-height:320px;max-width:60vw;overflow:auto;background:#f8f8f8;padding:6px;margin:0}"
            ".error{color:#b00020}.finished{color:#1b7f3b}</style></head><body>"
            "<h1>Sorting jobs</h1><table><thead><tr><th>state</th><th>sorter</th><th>recording</th><th>time</th>"
            "<th>node</th><th>peak memory</th><th>sorting</th><th>log</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></body></html>"
        )
        return HTMLResponse(page, headers=NO_STORE)


def job_row(job: dict) -> str:
    seconds = job.get("jobTimeSec") or job.get("elapsedSec")
    memory = job.get("peakMemoryBytes")
    state = job["status"] + (f" ({job['phase']})" if job.get("phase") and job["status"] == "started" else "")
    log = (job.get("log") or "").replace("\r", "\n")  # progress bars redraw with carriage returns
    if job.get("errorMessage"):
        log = job["errorMessage"] + ("\n\n" + log if log and log not in job["errorMessage"] else "")
    cells = [
        f"<td class='{html.escape(job['status'])}' data-job-id='{html.escape(job['jobId'])}'>{html.escape(state)}</td>",
        f"<td>{html.escape(str(job.get('sorterName')))}<br><small>{html.escape(json.dumps(job.get('params', {})))}</small></td>",
        f"<td>{short_uri(job.get('recordingUri'))}</td>",
        f"<td>{'' if seconds is None else f'{seconds:.1f} s'}</td>",
        f"<td>{html.escape(str(job.get('node') or ''))}</td>",
        f"<td>{'' if memory is None else f'{memory / 2**20:.0f} MiB'}</td>",
        f"<td>{short_uri(job.get('sortingUri'))}</td>",
        f"<td><details><summary>log</summary><pre>{html.escape(log)}</pre></details></td>",
    ]
    return "<tr>" + "".join(cells) + "</tr>"


def short_uri(uri: str | None) -> str:
    """A URI as its first hex digits, the whole of it in the tooltip."""
    if not uri:
        return ""
    return f"<code title='{html.escape(uri)}'>{html.escape(uri[:19])}…</code>"
