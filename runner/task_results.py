"""Job ids of calculations and their cached results in the store, under ``task_results/``.

A calculation's job id is the SHA-1 of ``{"taskInput": ..., "taskName": ...}`` written deterministically,
so the same request always names the same result. Results live at
``<store>/task_results/<taskName>/<h[0:2]>/<h[2:4]>/<h[4:6]>/<jobId>`` (the JSON, ndarrays encoded as in
figures) with the optional binary payload beside it as ``<jobId>.payload``.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from spikeinterface_sortingview.store import write_atomic
from spikeinterface_sortingview.views.encoding import canonical_json

from .handlers import HandlerResult

# Dot-separated words (``sortingview.correlograms.1``): a name is a folder of task_results/, so ``.`` and ``..``
# never are one. Matched whole (``fullmatch``): ``$`` alone lets a trailing newline through.
TASK_NAME_PATTERN = r"^[A-Za-z0-9_\-]+(\.[A-Za-z0-9_\-]+)*$"
JOB_ID_PATTERN = r"^[0-9a-f]{40}$"
# Any job's id (in /api/tasks paths and requests): a calculation's SHA-1, or an action's id chosen by the runner
# or the client.
ACTION_JOB_ID_PATTERN = r"^[A-Za-z0-9_\-]{1,128}$"
TASK_NAME = re.compile(TASK_NAME_PATTERN)
JOB_ID = re.compile(JOB_ID_PATTERN)
MAX_TASK_NAME = 200


def check_task_name(task_name: str) -> str:
    """Return ``task_name`` if it can name a folder of ``task_results/``, else raise ValueError saying why."""
    if len(task_name) > MAX_TASK_NAME or not TASK_NAME.fullmatch(task_name):
        raise ValueError(
            f"{task_name[:80]!r} is not a task name: dot-separated words of letters, digits, _ and - "
            "(e.g. sortingview.correlograms.1)"
        )
    return task_name


def check_job_id(job_id: str) -> str:
    """Return ``job_id`` if it is a calculation's job id (40 lowercase hex characters), else raise ValueError."""
    if not JOB_ID.fullmatch(job_id):
        raise ValueError(f"{job_id[:80]!r} is not a job id: 40 lowercase hex characters (a SHA-1)")
    return job_id


def calculation_job_id(task_name: str, task_input: dict) -> str:
    """The job id of a calculation: SHA-1 of its deterministic JSON name and input."""
    return hashlib.sha1(canonical_json({"taskInput": task_input, "taskName": task_name})).hexdigest()


class TaskResultCache:
    """Finished calculations' results, stored once and read by anyone who asks again.

    Parameters
    ----------
    store_dir : Path
        The store folder; results go under its ``task_results/``.
    """

    def __init__(self, store_dir: str | Path):
        self.directory = Path(store_dir) / "task_results"

    def path(self, task_name: str, job_id: str) -> Path:
        check_task_name(task_name)
        check_job_id(job_id)
        return self.directory / task_name / job_id[0:2] / job_id[2:4] / job_id[4:6] / job_id

    def get(self, task_name: str, job_id: str) -> tuple[bytes, bytes | None] | None:
        """The cached ``(result JSON bytes, payload)``, or None."""
        path = self.path(task_name, job_id)
        try:
            result = path.read_bytes()
        except (FileNotFoundError, NotADirectoryError):  # never written, or written nowhere (a file in the way)
            return None
        payload_path = path.with_name(job_id + ".payload")
        payload = payload_path.read_bytes() if payload_path.exists() else None
        return result, payload

    def put(self, task_name: str, job_id: str, result_json: bytes, payload: memoryview | bytes | None) -> None:
        """Store a result (payload first, so a result file never names a missing payload)."""
        path = self.path(task_name, job_id)
        if payload is not None:
            write_atomic(path.with_name(job_id + ".payload"), payload)
        write_atomic(path, result_json)


def result_json_bytes(result: HandlerResult) -> bytes:
    return json.dumps(result.to_json(), sort_keys=True, separators=(",", ":"), allow_nan=False).encode()
