"""Sorting jobs on a runner: ``run_sorter``, ``submit_batch`` and the jobs they return.

A job runs SpikeInterface's ``run_sorter`` on one of the runner's Ray workers. Its id hashes the sorter, the
sorter's version, the parameters and the recording's URI, so the same job asked again, from any machine,
returns the sorting already made at once::

    import spikeinterface_sortingview as sv

    sorting = sv.run_sorter("spykingcircus2", recording, runner="http://127.0.0.1:8931")
    jobs = sv.submit_batch(sv.batch_jobs(["simple", "tridesclous2"], {"rec1": rec1, "rec2": rec2}))
    sv.wait_for_jobs(jobs)

With ``workspace=`` (a workspace or its ``sv-workspace://`` URI) each finished sorting is added to that
workspace under its recording (``sorting_job_workspace.py``).

This module talks to the runner over HTTP only (``docs/compute-api.md``).
"""

from __future__ import annotations

import itertools
import re
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from spikeinterface.core import BaseRecording, BaseSorting

from extractors.share import load_sorting, share_recording

from .config import get_config
from .sorting_job_workspace import add_job_sorting, resolve_workspace
from .store import default_store
from .workspace import Workspace

SORTER_TASK = "sortingview.run_sorter.1"
URI_IN_TEXT = re.compile(r"sha1://[0-9a-f]{40}")
POLL_SECONDS = 1.0
# Files up to this size are read to find the files a manifest names (data files are larger).
MAX_MANIFEST_BYTES = 4 * 1024 * 1024
# A job submitted waits this long for its first answer: a cached job comes back finished within it.
SUBMIT_WAIT_SECONDS = 2.0


class SortingJobFailed(RuntimeError):
    """A sorting job ended in error; the message is the runner's (for a failed sorter, with its log)."""


@dataclass
class SortingJob:
    """A sorting job on a runner and what is known of it.

    Attributes
    ----------
    sorter_name, recording_uri, params : the job
    runner : str
        The runner's address.
    job_id : str
        SHA-1 of sorter, sorter version, parameters and recording URI (the same everywhere).
    status : str
        ``waiting``, ``started``, ``finished`` or ``error``.
    result : dict | None
        Once finished: ``sortingUri``, ``runTimeSec``, ``peakMemoryBytes``, ``node``, ``log``, ...
    error : str | None
        The error message of a failed job.
    progress : dict
        While it runs: ``phase``, ``node``, ``elapsedSec``, ``logTail``.
    recording_name : str | None
        A name for the recording (study tables use it; its label when a workspace adds it).
    workspace : Workspace | None
        The workspace the finished sorting is added to.
    workspace_sortings : dict
        ``{workspace URI: sorting id}`` of the workspaces it was added to.
    """

    sorter_name: str
    recording_uri: str
    params: dict
    runner: str
    job_id: str = ""
    status: str = "waiting"
    result: dict | None = None
    error: str | None = None
    progress: dict = field(default_factory=dict)
    recording_name: str | None = None
    num_cpus: int = 1
    workspace: Workspace | None = field(default=None, repr=False)
    workspace_sortings: dict = field(default_factory=dict)

    @property
    def done(self) -> bool:
        return self.status in ("finished", "error")

    @property
    def sorting_uri(self) -> str | None:
        return None if self.result is None else self.result["sortingUri"]

    @property
    def log(self) -> str:
        """The sorter's output: its end once finished, else the latest lines reported."""
        if self.result is not None:
            return self.result.get("log", "")
        return self.progress.get("logTail", "")

    def task_input(self) -> dict:
        return {
            "sorter_name": self.sorter_name,
            "recording_uri": self.recording_uri,
            "params": self.params,
            "num_cpus": self.num_cpus,
        }

    def update(self, status: dict) -> None:
        """Take in a ``setTaskStatus`` reply."""
        self.job_id = status.get("taskJobId", self.job_id)
        self.status = status.get("status", self.status)
        self.result = status.get("result", self.result)
        self.error = status.get("errorMessage", self.error)
        self.progress = status.get("progress") or self.progress

    def load_sorting(self) -> BaseSorting:
        """The finished job's sorting, read from the runner's store (or the local one when it is the same)."""
        if self.status == "error":
            raise SortingJobFailed(f"{self.sorter_name} on {self.recording_uri} failed: {self.error}")
        if self.sorting_uri is None:
            raise RuntimeError(f"the {self.sorter_name} job {self.job_id} has not finished; wait_for_jobs([job]) first")
        return load_sorting(self.sorting_uri, source_url=self.runner)

    def add_to_workspace(self) -> str | None:
        """Add the finished sorting to the job's workspace, once; its id there (None without a workspace)."""
        if self.workspace is None or self.status != "finished":
            return None
        if self.workspace.uri not in self.workspace_sortings:
            self.workspace_sortings[self.workspace.uri] = add_job_sorting(self, self.workspace)
        return self.workspace_sortings[self.workspace.uri]


def runner_address(runner: str | None) -> str:
    return (runner or get_config().address).rstrip("/")


def client() -> httpx.Client:
    # Requests to the runner never go through a proxy named in the environment.
    return httpx.Client(trust_env=False, timeout=60.0)


def recording_uri_on(runner: str, recording: BaseRecording | str, http: httpx.Client) -> str:
    """The URI of a recording the runner can read: shared into the local store (in place when it can be), and
    sent to the runner when it serves another store."""
    uri = recording if isinstance(recording, str) else share_recording(recording)
    health = http.get(f"{runner}/health").json()
    local = default_store()
    if Path(health.get("store_dir", "")).expanduser().resolve() == local.directory.resolve():
        return uri
    send_missing_files(runner, uri, local, http)
    return uri


def send_missing_files(runner: str, uri: str, store, http: httpx.Client) -> None:
    """Send the runner a manifest and every file it names that the runner's store lacks.

    Each file goes in one ``POST /sha1``, so a file larger than the runner's upload limit (``--max-upload-mb``)
    is refused by it: share such recordings on the runner's machine instead.
    """
    seen: set[str] = set()
    pending = [uri.split("?")[0]]
    while pending:
        item = pending.pop()
        if item in seen:
            continue
        seen.add(item)
        path = store.file_path(item)
        if path is None:
            raise SortingJobFailed(
                f"{item} is not in the local store {store.directory}: share the recording here first"
            )
        data = path.read_bytes() if path.stat().st_size <= MAX_MANIFEST_BYTES else None
        if data is not None and data[:1] == b"{":  # a manifest: it names more files
            pending.extend(URI_IN_TEXT.findall(data.decode("utf-8", errors="ignore")))
        if http.head(f"{runner}/sha1/{item[len('sha1://') :]}").status_code == 200:
            continue
        body = data if data is not None else path.read_bytes()
        answer = http.post(f"{runner}/sha1", content=body, headers={"Content-Type": "application/octet-stream"})
        if answer.status_code >= 400:
            raise SortingJobFailed(f"{runner} did not take {item} of the recording: {answer.text.strip()}")


def submit(job: SortingJob, http: httpx.Client, wait: float = SUBMIT_WAIT_SECONDS) -> SortingJob:
    """Ask the runner for a job (a job it has run is answered from its cache at once)."""
    body = {"type": "requestTask", "taskType": "calculation", "taskName": SORTER_TASK, "taskInput": job.task_input()}
    answer = http.post(f"{job.runner}/api/tasks", params={"wait": wait}, json=body, timeout=wait + 60)
    reply = answer.json()
    if answer.status_code >= 400 and "taskJobId" not in reply:
        raise SortingJobFailed(f"{job.runner} refused the {job.sorter_name} job: {reply.get('errorMessage', reply)}")
    job.update(reply)
    return job


def submit_sorting_job(
    sorter_name: str,
    recording: BaseRecording | str,
    runner: str | None = None,
    num_cpus: int = 1,
    recording_name: str | None = None,
    workspace: Workspace | str | None = None,
    **params: Any,
) -> SortingJob:
    """Start a sorting job on a runner and return at once (see :func:`run_sorter`).

    A job the runner answers from its cache comes back finished (and, with ``workspace``, already added).
    """
    runner = runner_address(runner)
    target = resolve_workspace(workspace)  # a bad workspace fails before anything is submitted
    with client() as http:
        uri = recording_uri_on(runner, recording, http)
        job = SortingJob(sorter_name, uri, dict(params), runner, recording_name=recording_name, num_cpus=num_cpus)
        job.workspace = target
        submit(job, http)
    job.add_to_workspace()
    return job


def run_sorter(
    sorter_name: str,
    recording: BaseRecording | str,
    runner: str | None = None,
    num_cpus: int = 1,
    timeout: float | None = None,
    verbose: bool = False,
    workspace: Workspace | str | None = None,
    recording_name: str | None = None,
    **params: Any,
) -> BaseSorting:
    """SpikeInterface's ``run_sorter``, run on a runner's Ray worker; returns the sorting (cached by the runner).

    Parameters
    ----------
    sorter_name : str
        A SpikeInterface sorter: an internal one (``spykingcircus2``, ``tridesclous2``, ``simple``) or any
        installed on the runner's workers.
    recording : BaseRecording | str
        The recording, or the URI of a shared one. A recording is shared into the local store (binary files in
        place) and sent to the runner if it serves another store.
    runner : str | None
        The runner's address (default: the configured one, ``SORTINGVIEW_ADDRESS``).
    num_cpus : int
        CPUs the job holds on its worker (SpikeInterface's ``n_jobs``); not part of the job's id.
    timeout : float | None
        Seconds to wait for the sorting (None: until it is done).
    verbose : bool
        Print the job's progress (phase, node, new log lines) while it runs.
    workspace : Workspace | str | None
        A workspace (or its ``sv-workspace://`` URI) of this machine's store: the sorting is added to it, labelled
        with the sorter's name and the parameters that differ from its defaults (``"simple detect_threshold=6"``),
        as a sorting of the recording (added first, by its URI, if the workspace lacks it). Its record's
        ``metadata`` holds the job's id, sorter version, parameters, run time, peak memory and node. Asking
        again adds nothing twice.
    recording_name : str | None
        The recording's label when the workspace adds it.
    **params
        The sorter's parameters, as for SpikeInterface's ``run_sorter``.

    Returns
    -------
    BaseSorting
        The sorting, read by URI (``load_sorting``).

    Raises
    ------
    SortingJobFailed
        The runner refused the job (unknown sorter, bad parameters: SpikeInterface's message) or the sorter
        failed (the message ends with its log).
    WorkspaceError
        ``workspace`` is not a workspace of this store (nothing is submitted), or it refused the sorting.
    """
    job = submit_sorting_job(
        sorter_name,
        recording,
        runner=runner,
        num_cpus=num_cpus,
        recording_name=recording_name,
        workspace=workspace,
        **params,
    )
    wait_for_jobs([job], timeout=timeout, verbose=verbose)
    return job.load_sorting()


def batch_jobs(
    sorters: Iterable[str],
    recordings: Mapping[str, BaseRecording | str],
    params: Mapping[str, Iterable[dict]] | None = None,
    num_cpus: int = 1,
) -> list[dict]:
    """Sorters x recordings x parameter sets, as the job descriptions ``submit_batch`` takes.

    ``params`` gives, per sorter name, the parameter sets to run (default: one set, the sorter's defaults).
    """
    params = params or {}
    return [
        {"sorter_name": s, "recording": r, "recording_name": name, "params": p, "num_cpus": num_cpus}
        for s, (name, r) in itertools.product(sorters, recordings.items())
        for p in (list(params.get(s, [])) or [{}])
    ]


def submit_batch(
    jobs: Iterable[Mapping], runner: str | None = None, workspace: Workspace | str | None = None
) -> list[SortingJob]:
    """Submit many sorting jobs; each is ``{"sorter_name", "recording", "params"?, "num_cpus"?, "recording_name"?}``.

    Jobs the runner has run already come back finished. Follow the others with :func:`wait_for_jobs`. With
    ``workspace``, each sorting is added to it when its job finishes (see :func:`run_sorter`); a bad workspace
    fails before any job is submitted.
    """
    runner = runner_address(runner)
    target = resolve_workspace(workspace)
    submitted = []
    shared: dict[int, str] = {}  # a recording object given for several jobs is shared once
    with client() as http:
        for spec in jobs:
            recording = spec["recording"]
            key = id(recording)
            if key not in shared:
                shared[key] = recording_uri_on(runner, recording, http)
            job = SortingJob(
                spec["sorter_name"],
                shared[key],
                dict(spec.get("params") or {}),
                runner,
                recording_name=spec.get("recording_name"),
                num_cpus=int(spec.get("num_cpus", 1)),
                workspace=target,
            )
            submitted.append(submit(job, http, wait=0))
    for job in submitted:
        job.add_to_workspace()
    return submitted


def wait_for_jobs(
    jobs: list[SortingJob],
    timeout: float | None = None,
    verbose: bool = False,
    raise_error: bool = True,
    poll_seconds: float = POLL_SECONDS,
    workspace: Workspace | str | None = None,
) -> list[SortingJob]:
    """Follow jobs until each has finished or failed, asking the runner every ``poll_seconds``.

    Each job that has a workspace (given when it was submitted, or ``workspace`` here, which is then set on
    every job) has its sorting added to it as soon as it finishes; one already added is not added again.

    Raises
    ------
    SortingJobFailed
        When a job failed (with ``raise_error``), naming it and with the runner's message.
    TimeoutError
        When ``timeout`` seconds pass first (the jobs go on running on the runner; finished ones are added).
    WorkspaceError
        A bad ``workspace`` (before anything is asked), or a workspace that refused a sorting (calling
        again, once fixed, adds it).
    """
    target = resolve_workspace(workspace)
    if target is not None:
        for job in jobs:
            job.workspace = target
    deadline = None if timeout is None else time.monotonic() + timeout
    shown: dict[str, tuple[str, int]] = {}
    with client() as http:
        while True:
            for job in jobs:
                if not job.done:
                    answer = http.get(f"{job.runner}/api/tasks/{SORTER_TASK}/{job.job_id}")
                    if answer.status_code == 404:  # the runner restarted and forgot it: ask again (cached if done)
                        submit(job, http, wait=0)
                    else:
                        job.update(answer.json())
                    if verbose:
                        show_progress(job, shown)
                job.add_to_workspace()  # as each finishes, so a timeout later loses none
            if all(job.done for job in jobs):
                break
            if deadline is not None and time.monotonic() > deadline:
                waiting = sum(not job.done for job in jobs)
                raise TimeoutError(f"{waiting} sorting job(s) still running after {timeout:g} s; they go on")
            time.sleep(poll_seconds)
    failed = [job for job in jobs if job.status == "error"]
    if failed and raise_error:
        job = failed[0]
        raise SortingJobFailed(f"{job.sorter_name} on {job.recording_name or job.recording_uri}: {job.error}")
    return jobs


def show_progress(job: SortingJob, shown: dict[str, tuple[str, int]]) -> None:
    """Print a job's state when it changes, and the log lines not printed yet."""
    tag = f"[{job.sorter_name} {job.job_id[:8]}]"
    state = f"{job.status} {job.progress.get('phase', '')} {job.progress.get('node', '')}".strip()
    last_state, printed = shown.get(job.job_id, ("", 0))
    if state != last_state:
        print(f"{tag} {state}", file=sys.stderr)
    lines = job.log.splitlines()
    for line in lines[printed:]:
        print(f"{tag} {line}", file=sys.stderr)
    shown[job.job_id] = (state, max(printed, len(lines)))
