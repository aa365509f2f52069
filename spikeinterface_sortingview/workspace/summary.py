"""Sorting summaries computed by a runner: the figure document that names the job, and asking a runner to start it.

``W.spikesortingview`` (and the runner's home page) store a small document ``{"type": "SortingSummaryJob",
"taskName", "taskInput"}`` and return its figURL at once. The viewer, opening it, asks the runner for the job's
progress until the summary's figure is written (``runner/handlers/summaries.py``), then shows that figure. The
job's result is cached by the runner, so the same URL opens at once the next time, on any machine.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from ..runner_client import authorization, open_url
from ..store import LocalStore
from .snapshot import WorkspaceError

SUMMARY_TASK = "sortingview.sorting_summary.1"
SUMMARY_DOCUMENT_TYPE = "SortingSummaryJob"
SUBMIT_TIMEOUT = 30.0


def summary_task_input(recording_uri: str, sorting_uri: str, params: dict | None = None) -> dict:
    """The input of ``sortingview.sorting_summary.1`` (``params``: see ``docs/compute-api.md``)."""
    task_input = {"recording_uri": recording_uri, "sorting_uri": sorting_uri}
    if params:
        task_input["params"] = dict(params)
    return task_input


def store_summary_document(store: LocalStore, task_input: dict) -> str:
    """Store the document a summary figURL opens (the job it waits for); return its ``sha1://`` URI.

    The same inputs give the same document, so the same URL: reopening it finds the runner's cached result.
    """
    return store.store_json({"type": SUMMARY_DOCUMENT_TYPE, "taskName": SUMMARY_TASK, "taskInput": task_input})


def open_summary_on_runner(
    runner_url: str, workspace_id: str, sorting_id: str, label: str | None, params: dict | None
) -> str | None:
    """Ask the runner that holds a workspace to compute a sorting's summary and record it; its figURL.

    What the runner's home page does (``POST /api/workspaces/<id>/sortings/<id>/summary``), for a workspace read
    from that runner: the figure is recorded in the runner's workspace and opens there. None when the runner
    has no compute (503): the caller computes the summary itself.

    Raises
    ------
    WorkspaceError
        The runner refused (its message: an unknown id, an unreadable recording, bad params), or could not be
        reached.
    """
    body = json.dumps({"label": label, "params": params}).encode()
    url = f"{runner_url.rstrip('/')}/api/workspaces/{workspace_id}/sortings/{sorting_id}/summary"
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json", **authorization(runner_url)}
    )
    try:
        with open_url(request, timeout=SUBMIT_TIMEOUT) as response:
            return json.loads(response.read())["url"]
    except urllib.error.HTTPError as e:
        if e.code == 503:
            return None
        raise WorkspaceError(f"The runner at {runner_url} refused the summary (HTTP {e.code}): {_message(e)}") from None
    except OSError as e:
        raise WorkspaceError(f"The runner at {runner_url} could not be reached to compute the summary: {e}") from None


def start_summary_on_runner(runner_url: str, task_input: dict) -> dict:
    """Ask the runner at ``runner_url`` to start (or find cached) a summary job; its ``setTaskStatus``.

    Raises
    ------
    WorkspaceError
        The runner refused the input (its message, e.g. an unreadable recording), or could not be reached.
    """
    body = json.dumps(
        {"type": "requestTask", "taskType": "calculation", "taskName": SUMMARY_TASK, "taskInput": task_input}
    ).encode()
    request = urllib.request.Request(
        f"{runner_url.rstrip('/')}/api/tasks?wait=0",
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", **authorization(runner_url)},
    )
    try:
        with open_url(request, timeout=SUBMIT_TIMEOUT) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as e:
        raise WorkspaceError(f"The runner at {runner_url} refused the summary (HTTP {e.code}): {_message(e)}") from None
    except OSError as e:
        raise WorkspaceError(f"The runner at {runner_url} could not be reached to compute the summary: {e}") from None


def _message(error: urllib.error.HTTPError) -> str:
    """The runner's ``errorMessage`` in an error answer, else the HTTP reason."""
    try:
        return json.loads(error.read()).get("errorMessage") or error.reason
    except ValueError:
        return error.reason
