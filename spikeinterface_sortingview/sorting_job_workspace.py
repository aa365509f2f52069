"""Finished sorting jobs added to a workspace: ``sv.run_sorter(..., workspace=W)``.

The adding happens in the client, after the runner answers that a job has finished (in ``submit_*`` for a job
answered from the cache, in ``wait_for_jobs`` for the others). The client is where the workspace can be
edited: a workspace is a pointer in the store of the process that made it, and the runner (often another
store, another machine) reads it but never edits it. Adding is idempotent: a sorting already in the
workspace (the same job id, or the same sorting URI on the same recording) is found, not added again.
"""

from __future__ import annotations

from typing import Any

from .workspace import Workspace, WorkspaceError, load_workspace

# A job is a ``sorting_jobs.SortingJob``; it is not imported here, since ``sorting_jobs`` imports this module.
SortingJob = Any


def resolve_workspace(workspace: Workspace | str | None) -> Workspace | None:
    """The workspace a job's sorting goes to, checked before anything is submitted.

    Raises
    ------
    WorkspaceError
        A string that is not a workspace URI, a workspace this machine's store does not hold, or one read
        from a runner (which this process cannot edit).
    """
    if workspace is None:
        return None
    if isinstance(workspace, str):
        workspace = load_workspace(workspace)
    elif not isinstance(workspace, Workspace):
        raise TypeError(f"workspace must be a Workspace or its sv-workspace:// URI, got {type(workspace).__name__}")
    if workspace.source_url is not None:
        raise WorkspaceError(
            f"{workspace.uri} was read from the runner at {workspace.source_url}; finished sortings are added by "
            "a process that can edit it. Run the jobs from a process on the machine whose store holds it."
        )
    workspace.snapshot()  # a workspace gone from the store fails here, before any job is submitted
    return workspace


def sorting_label(sorter_name: str, params: dict) -> str:
    """The sorter's name and the parameters that differ from its defaults: ``"simple detect_threshold=6"``.

    A nested parameter is named by its path (``"spykingcircus2 detection.detect_threshold=6"``).
    """
    from spikeinterface.sorters import get_default_sorter_params

    try:
        defaults = get_default_sorter_params(sorter_name)
    except (KeyError, AttributeError, ValueError):  # a sorter this client does not know: name every parameter
        defaults = {}
    return " ".join([sorter_name, *(f"{name}={value}" for name, value in changed_params(params, defaults))])


def changed_params(params: dict, defaults: dict, prefix: str = "") -> list[tuple[str, Any]]:
    """``(path, value)`` of each parameter whose value is not the default, in the order given."""
    changed = []
    for key, value in params.items():
        default = defaults.get(key)
        if isinstance(value, dict) and isinstance(default, dict):
            changed.extend(changed_params(value, default, f"{prefix}{key}."))
        elif key not in defaults or not same_value(value, default):
            changed.append((f"{prefix}{key}", value))
    return changed


def same_value(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except (TypeError, ValueError):  # arrays and other values without one truth value
        return False


def job_metadata(job: SortingJob) -> dict:
    """What the workspace keeps of the job that made a sorting."""
    result = job.result or {}
    return {
        "job_id": job.job_id,
        "runner": job.runner,
        "sorter_name": job.sorter_name,
        "sorter_version": result.get("sorterVersion"),
        "params": job.params,
        "num_cpus": result.get("numCpus", job.num_cpus),
        "run_time_sec": result.get("runTimeSec"),
        "job_time_sec": result.get("jobTimeSec"),
        "peak_memory_bytes": result.get("peakMemoryBytes"),
        "node": result.get("node"),
        "started_at": result.get("startedAt"),
        "log_uri": result.get("logUri"),
    }


def find_job_sorting(workspace: Workspace, job: SortingJob) -> str | None:
    """The id of the workspace's sorting made by this job, if it has one."""
    sortings = workspace.snapshot()["sortings"]
    for sorting_id, record in sortings.items():
        if record.get("metadata", {}).get("job_id") == job.job_id:
            return sorting_id
    return None


def add_job_sorting(job: SortingJob, workspace: Workspace) -> str:
    """Add a finished job's sorting to ``workspace``, under its recording (added first, by URI, if missing).

    Returns
    -------
    str
        The sorting's id in the workspace (the one already there when the job's sorting was added before).

    Raises
    ------
    WorkspaceError
        Naming the job, when the workspace refuses the sorting; the sorting stays in the runner's store and
        calling ``wait_for_jobs`` again retries.
    """
    found = find_job_sorting(workspace, job)
    if found is not None:
        return found
    try:
        # opening it brings the sorting's files into this store when the runner serves another one
        job.load_sorting()
        recording_label = job.recording_name or f"recording {job.recording_uri[len('sha1://') :][:12]}"
        recording_id = workspace.add_recording(recording_label, job.recording_uri, exist_ok=True)
        return workspace.add_sorting(
            recording_id,
            sorting_label(job.sorter_name, job.params),
            job.sorting_uri,
            metadata=job_metadata(job),
            exist_ok=True,
        )
    except WorkspaceError as e:
        raise WorkspaceError(
            f"The {job.sorter_name} job {job.job_id} finished (sorting {job.sorting_uri}) but was not added to "
            f"{workspace.uri}: {e} Fix it and call sv.wait_for_jobs again to add it."
        ) from e
