"""Sorting jobs: SpikeInterface's ``run_sorter`` on a recording URI, the sorting shared back as a URI.

``sortingview.run_sorter.1`` is a calculation: its job id hashes the sorter, the sorter's version, the
parameters and the recording's URI (:func:`sorting_job_key`), so the same job asked again, from any machine,
is answered from the runner's result cache. :func:`run_sorting_job` is what a Ray worker runs; it captures
the sorter's output in a log, measures run time and peak memory, and shares the sorting into the store.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from ..handler_io.errors import HandlerInputError
from ..handler_io.result import HandlerResult

SORTER_TASK = "sortingview.run_sorter.1"
INPUT_KEYS = {"sorter_name", "recording_uri", "params", "num_cpus"}
URI_PATTERN = re.compile(r"^sha1://[0-9a-f]{40}(\?.*)?$")
MAX_NUM_CPUS = 256
# The end of the log kept in the result and shown while a job runs; the whole log is stored beside the sorting.
LOG_TAIL_BYTES = 16 * 1024
PROGRESS_SECONDS = 0.5


def check_sorting_input(task_input: dict) -> dict:
    """The input of a sorting job, checked, with defaults (``params`` {}, ``num_cpus`` 1).

    Raises
    ------
    HandlerInputError
        Naming the key that is wrong and how to fix it; an unknown sorter lists the sorters SpikeInterface knows.
    """
    from spikeinterface.sorters import sorter_dict

    unknown = set(task_input) - INPUT_KEYS
    if unknown:
        raise HandlerInputError(f"unknown input key {sorted(unknown)[0]!r}; a sorting job takes {sorted(INPUT_KEYS)}")
    name = task_input.get("sorter_name")
    if not isinstance(name, str) or not name:
        raise HandlerInputError("sorter_name is required: a SpikeInterface sorter name such as 'spykingcircus2'")
    if name not in sorter_dict:
        raise HandlerInputError(f"unknown sorter {name!r}; SpikeInterface knows {', '.join(sorted(sorter_dict))}")
    uri = task_input.get("recording_uri")
    if not isinstance(uri, str) or not URI_PATTERN.match(uri):
        raise HandlerInputError(
            f"recording_uri must be a sha1:// URI of a shared recording, got {uri!r}; share it with sv.share_recording"
        )
    params = task_input.get("params", {})
    if not isinstance(params, dict):
        raise HandlerInputError(f"params must be an object of sorter parameters, got {type(params).__name__}")
    num_cpus = task_input.get("num_cpus", 1)
    if isinstance(num_cpus, bool) or not isinstance(num_cpus, int) or not 1 <= num_cpus <= MAX_NUM_CPUS:
        raise HandlerInputError(f"num_cpus must be a whole number from 1 to {MAX_NUM_CPUS}, got {num_cpus!r}")
    return {"sorter_name": name, "recording_uri": uri, "params": params, "num_cpus": num_cpus}


def sorter_version(sorter_name: str) -> str:
    """The version of a sorter installed here (SpikeInterface's version for its internal sorters)."""
    from spikeinterface.sorters import sorter_dict

    sorter = sorter_dict[sorter_name]
    if not sorter.is_installed():
        raise HandlerInputError(
            f"sorter {sorter_name!r} is not installed where this runner runs: {sorter.installation_mesg.strip()}"
        )
    return str(sorter.get_sorter_version())


def sorting_job_key(task_input: dict) -> dict:
    """What a sorting job's id hashes: sorter, sorter version, parameters and recording URI (not ``num_cpus``)."""
    checked = check_sorting_input(task_input)
    return {
        "sorter_name": checked["sorter_name"],
        "sorter_version": sorter_version(checked["sorter_name"]),
        "params": checked["params"],
        "recording_uri": checked["recording_uri"],
    }


class SortingJobError(Exception):
    """The sorter ran and failed; ``log`` is its output."""

    def __init__(self, message: str, log: str):
        super().__init__(message)
        self.log = log


def log_tail(path: Path, max_bytes: int = LOG_TAIL_BYTES) -> str:
    """The last ``max_bytes`` of a log file, from a line start when it was cut."""
    try:
        with path.open("rb") as f:
            size = f.seek(0, os.SEEK_END)
            f.seek(max(0, size - max_bytes))
            text = f.read().decode("utf-8", errors="replace")
    except FileNotFoundError:
        return ""
    if size > max_bytes and "\n" in text:
        text = text.split("\n", 1)[1]
    return text


@contextlib.contextmanager
def output_to(path: Path) -> Iterator[None]:
    """Send this process's stdout and stderr (file descriptors 1 and 2, so C and numba output too) to ``path``."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with path.open("ab", buffering=0) as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


def reset_peak_memory() -> bool:
    """Reset this process's peak resident size (Linux ``clear_refs``); False where that is not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def peak_memory_bytes() -> int | None:
    """This process's peak resident size since the last reset (``VmHWM``), or None."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def run_sorting_job(
    task_input: dict, node: str, report: Callable[[dict], None] | None = None, work_dir: str | None = None
) -> dict:
    """Run a sorter on a shared recording in this process; share the sorting; return the job's result.

    Parameters
    ----------
    task_input : dict
        ``sorter_name``, ``recording_uri``, ``params``, ``num_cpus`` (see :func:`check_sorting_input`).
    node : str
        Where this runs (kept with the result).
    report : callable | None
        Called about once a second with ``{"node", "phase", "elapsedSec", "logTail"}`` while the job runs.
    work_dir : str | None
        Where the sorter's folder is made (removed afterwards); the system's temporary folder by default.

    Raises
    ------
    HandlerInputError
        The recording cannot be read here, or SpikeInterface refused the parameters (its own message).
    SortingJobError
        The sorter failed; the error carries its log.
    """
    import spikeinterface.sorters as ss
    from spikeinterface.core import set_global_job_kwargs

    import extractors
    from spikeinterface_sortingview.store import default_store

    checked = check_sorting_input(task_input)
    name, uri = checked["sorter_name"], checked["recording_uri"]
    started = time.time()
    folder = Path(tempfile.mkdtemp(prefix=f"sv-{name}-", dir=work_dir))
    log_path = folder / "log.txt"
    state = {"phase": "loading the recording"}
    stop = threading.Event()

    def progress() -> dict:
        return {
            "node": node,
            "phase": state["phase"],
            "elapsedSec": round(time.time() - started, 1),
            "logTail": log_tail(log_path, 4096),
        }

    def keep_reporting() -> None:
        while not stop.wait(PROGRESS_SECONDS):
            with contextlib.suppress(Exception):  # progress is best effort; the job goes on without it
                report(progress())

    if report is not None:
        threading.Thread(target=keep_reporting, name="sorting-progress", daemon=True).start()
    try:
        try:
            recording = extractors.load_recording(uri)
        except Exception as error:
            raise HandlerInputError(
                f"the recording {uri} cannot be read on {node}: {type(error).__name__}: {error}. Share it into this "
                "runner's store (sv.run_sorter does when given a recording object) or give the URI of one it holds"
            ) from None
        set_global_job_kwargs(n_jobs=checked["num_cpus"], progress_bar=False)
        state["phase"] = "sorting"
        measured = reset_peak_memory()
        with output_to(log_path):
            print(f"{name} on {uri} ({node}, {checked['num_cpus']} CPU)", flush=True)
            sorting = run_sorter_logged(ss, name, recording, folder / "sorter", checked["params"], log_path)
        peak = peak_memory_bytes() if measured else None
        state["phase"] = "sharing the sorting"
        store = default_store()
        sorting_uri = extractors.share_sorting(sorting, in_place=False)
        log = log_path.read_text(errors="replace")
        log_uri = store.store_bytes(log.encode())
        run_time = sorter_run_time(folder / "sorter")
        return {
            "sortingUri": sorting_uri,
            "sorterName": name,
            "sorterVersion": sorter_version(name),
            "params": checked["params"],
            "recordingUri": uri,
            "numUnits": len(sorting.unit_ids),
            "numSpikes": int(sum(sorting.count_num_spikes_per_unit(outputs="array"))),
            "numCpus": checked["num_cpus"],
            "runTimeSec": run_time,
            "jobTimeSec": round(time.time() - started, 3),
            "peakMemoryBytes": peak,
            "node": node,
            "startedAt": started,
            "log": log_tail(log_path),
            "logUri": log_uri,
        }
    finally:
        stop.set()
        shutil.rmtree(folder, ignore_errors=True)


def run_sorter_logged(ss, name: str, recording, folder: Path, params: dict, log_path: Path):
    """SpikeInterface's ``run_sorter``; its refusals of the parameters are input errors, its failures carry the log."""
    from spikeinterface.sorters.utils.misc import SpikeSortingError

    try:
        return ss.run_sorter(name, recording, folder=folder, verbose=True, raise_error=True, **params)
    except SpikeSortingError as error:
        print(str(error), flush=True)
        raise SortingJobError(f"{name} failed: {last_lines(str(error))}", log_tail(log_path)) from None
    except Exception as error:
        if (folder / "spikeinterface_log.json").exists():  # the sorter had started: a failure, not a bad input
            raise SortingJobError(f"{name} failed: {type(error).__name__}: {error}", log_tail(log_path)) from None
        # Refused before the sorter started: SpikeInterface's own message about the parameters.
        raise HandlerInputError(f"{name} refused its parameters: {type(error).__name__}: {error}") from None


def sorter_run_time(folder: Path) -> float | None:
    """The sorter's own run time from SpikeInterface's ``spikeinterface_log.json``."""
    import json

    try:
        return json.loads((folder / "spikeinterface_log.json").read_text()).get("run_time")
    except (OSError, ValueError):
        return None


def last_lines(text: str, count: int = 12) -> str:
    """The last ``count`` lines of a trace (where the error is said)."""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return "\n".join(lines[-count:])


def node_label() -> str:
    """This machine's name and the Ray node, for the job table."""
    try:
        import ray

        node_id = ray.get_runtime_context().get_node_id()[:8]
    except Exception:
        node_id = "local"
    return f"{socket.gethostname()}:{node_id}"


def run_sorter_here(task_input: dict, data: object) -> HandlerResult:
    """The handler's in-process form (the runner runs sorting jobs as Ray tasks, see ``runner.sorting_executor``)."""
    try:
        return HandlerResult(run_sorting_job(task_input, node_label()))
    except SortingJobError as error:
        raise RuntimeError(f"{error}\n{last_lines(error.log, 40)}") from None
