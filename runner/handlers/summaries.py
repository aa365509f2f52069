"""Sorting summaries computed by the runner: a SortingAnalyzer of a shared recording and sorting, as a figure.

``sortingview.sorting_summary.1`` is a calculation run as a Ray task of its own, like a sorting job: the worker
makes an in-memory sparse SortingAnalyzer, computes SpikeInterface's extensions one by one (the ones
``plot_sorting_summary`` shows, as ``spikeinterface_sortingview.demo`` lists them), reporting each step, then
writes the summary figure with the package's own backend into the store. Its job id hashes the recording and
sorting URIs, the parameters (defaults filled in) and the versions of this package and of SpikeInterface
(:func:`summary_job_key`), so a second open, from any machine using the runner, is answered from the cache.
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from collections.abc import Callable

from spikeinterface_sortingview.numba_cache import cache_spikeinterface_kernels
from spikeinterface_sortingview.workspace.snapshot import SAMPLING_FREQUENCY_RELATIVE_TOLERANCE
from spikeinterface_sortingview.workspace.summary import SUMMARY_TASK as SUMMARY_TASK  # the registry names it here

from ..handler_io.errors import HandlerInputError
from ..handler_io.result import HandlerResult
from .sorting_jobs import MAX_NUM_CPUS, URI_PATTERN, node_label

INPUT_KEYS = {"recording_uri", "sorting_uri", "params", "num_cpus"}
PROGRESS_SECONDS = 0.5
LOAD_STEP = "loading the recording and sorting"
FIGURE_STEP = "writing the figure"


def summary_steps() -> list[str]:
    """The steps a summary job reports, in order: loading, one per extension, writing the figure."""
    from spikeinterface_sortingview.demo import SUMMARY_EXTENSIONS

    return [LOAD_STEP, *SUMMARY_EXTENSIONS, FIGURE_STEP]


def check_summary_input(task_input: dict) -> dict:
    """The input of a summary job, checked, with defaults (``params`` filled in; ``num_cpus`` None: the runner's).

    Raises
    ------
    HandlerInputError
        Naming the key that is wrong and how to fix it.
    """
    from spikeinterface_sortingview.demo import SUMMARY_PARAMS

    unknown = set(task_input) - INPUT_KEYS
    if unknown:
        raise HandlerInputError(f"unknown input key {sorted(unknown)[0]!r}; a summary job takes {sorted(INPUT_KEYS)}")
    for key, share in (("recording_uri", "share_recording"), ("sorting_uri", "share_sorting")):
        uri = task_input.get(key)
        if not isinstance(uri, str) or not URI_PATTERN.match(uri):
            raise HandlerInputError(f"{key} must be a sha1:// URI, got {uri!r}; make one with sv.{share}")
    params = task_input.get("params", {})
    if not isinstance(params, dict):
        raise HandlerInputError(f"params must be an object, got {type(params).__name__}")
    known = SUMMARY_PARAMS
    unknown = set(params) - set(known)
    if unknown:
        raise HandlerInputError(f"unknown parameter {sorted(unknown)[0]!r}; a summary takes {sorted(known)}")
    filled = {**known, **params}
    spikes = filled["max_spikes_per_unit"]
    if isinstance(spikes, bool) or not isinstance(spikes, int) or not 10 <= spikes <= 100_000:
        raise HandlerInputError(f"max_spikes_per_unit must be a whole number from 10 to 100000, got {spikes!r}")
    for key in ("ms_before", "ms_after"):
        value = filled[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.1 <= value <= 20:
            raise HandlerInputError(f"{key} must be a number of milliseconds from 0.1 to 20, got {value!r}")
    names = filled["metric_names"]
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise HandlerInputError(f"metric_names must be a list of SpikeInterface quality metric names, got {names!r}")
    num_cpus = task_input.get("num_cpus")
    if num_cpus is not None and (
        isinstance(num_cpus, bool) or not isinstance(num_cpus, int) or not 1 <= num_cpus <= MAX_NUM_CPUS
    ):
        raise HandlerInputError(f"num_cpus must be a whole number from 1 to {MAX_NUM_CPUS}, got {num_cpus!r}")
    checked = {"recording_uri": task_input["recording_uri"], "sorting_uri": task_input["sorting_uri"]}
    return {**checked, "params": filled, "num_cpus": num_cpus}


def summary_job_key(task_input: dict) -> dict:
    """What a summary job's id hashes: both URIs, the filled-in parameters, this package's and SpikeInterface's
    versions (a new version may write the figure differently). Not ``num_cpus``: the result is the same."""
    import spikeinterface

    from spikeinterface_sortingview._version import __version__

    checked = check_summary_input(task_input)
    return {
        "recording_uri": checked["recording_uri"],
        "sorting_uri": checked["sorting_uri"],
        "params": checked["params"],
        "versions": {"spikeinterface_sortingview": __version__, "spikeinterface": spikeinterface.__version__},
    }


def load_pair(recording_uri: str, sorting_uri: str, node: str):
    """The shared recording and sorting, checked to belong together (rate, segments, frames, files readable).

    Raises
    ------
    HandlerInputError
        Naming the URI that cannot be read, or what does not match.
    """
    import extractors

    try:
        recording = extractors.load_recording(recording_uri)
        # a first frame of each segment: a file registered in place that was deleted fails here
        for segment in range(recording.get_num_segments()):
            recording.get_traces(segment_index=segment, start_frame=0, end_frame=1)
    except Exception as error:
        raise HandlerInputError(
            f"the recording {recording_uri} cannot be read on {node}: {type(error).__name__}: {error}. If it was "
            "registered in place, its file must stay where it was shared from; share it again otherwise"
        ) from None
    try:
        sorting = extractors.load_sorting(sorting_uri)
    except Exception as error:
        raise HandlerInputError(
            f"the sorting {sorting_uri} cannot be read on {node}: {type(error).__name__}: {error}"
        ) from None
    rate, own_rate = recording.sampling_frequency, sorting.sampling_frequency
    if not math.isclose(rate, own_rate, rel_tol=SAMPLING_FREQUENCY_RELATIVE_TOLERANCE):
        raise HandlerInputError(
            f"the sorting {sorting_uri} has a sampling frequency of {own_rate} Hz, the recording {recording_uri} "
            f"{rate} Hz: was it sorted from another recording?"
        )
    if sorting.get_num_segments() != recording.get_num_segments():
        raise HandlerInputError(
            f"the sorting {sorting_uri} has {sorting.get_num_segments()} segments, the recording {recording_uri} "
            f"{recording.get_num_segments()}"
        )
    spikes = sorting.to_spike_vector(concatenated=False)
    for segment, vector in enumerate(spikes):
        frames = recording.get_num_samples(segment)
        if len(vector) and int(vector["sample_index"].max()) >= frames:
            raise HandlerInputError(
                f"the sorting {sorting_uri} has a spike at frame {int(vector['sample_index'].max())} of segment "
                f"{segment}, but the recording {recording_uri} has {frames} frames: was it sorted from another recording?"
            )
    return recording, sorting


def run_summary_job(task_input: dict, node: str, report: Callable[[dict], None] | None = None) -> dict:
    """Compute a sorting summary in this process and write its figure to the store; return the job's result.

    Parameters
    ----------
    task_input : dict
        ``recording_uri``, ``sorting_uri``, ``params``, ``num_cpus`` (see :func:`check_summary_input`).
    node : str
        Where this runs (kept with the result).
    report : callable | None
        Called about twice a second with ``{"node", "phase", "step", "steps", "elapsedSec"}`` while it runs.

    Raises
    ------
    HandlerInputError
        A recording or sorting that cannot be read here, or that do not belong together.
    """
    import spikeinterface.full as si

    from spikeinterface_sortingview.demo import summary_extension_params
    from spikeinterface_sortingview.figure import Figure
    from spikeinterface_sortingview.store import default_store

    checked = check_summary_input(task_input)
    params = checked["params"]
    n_jobs = checked["num_cpus"] or 1
    steps = summary_steps()
    started = time.time()
    state = {"step": 0}
    timings: list[dict] = []
    stop = threading.Event()

    def progress() -> dict:
        return {
            "node": node,
            "phase": steps[state["step"]],
            "step": state["step"],
            "steps": steps,
            "elapsedSec": round(time.time() - started, 1),
        }

    def keep_reporting() -> None:
        while not stop.wait(PROGRESS_SECONDS):
            with contextlib.suppress(Exception):  # progress is best effort; the job goes on without it
                report(progress())

    def next_step(began: float) -> float:
        timings.append({"step": steps[state["step"]], "seconds": round(time.time() - began, 3)})
        state["step"] += 1
        if report is not None:
            with contextlib.suppress(Exception):
                report(progress())
        return time.time()

    if report is not None:
        threading.Thread(target=keep_reporting, name="summary-progress", daemon=True).start()
    try:
        began = time.time()
        recording, sorting = load_pair(checked["recording_uri"], checked["sorting_uri"], node)
        analyzer = si.create_sorting_analyzer(
            sorting, recording, sparse=True, format="memory", job_kwargs={"n_jobs": n_jobs, "progress_bar": False}
        )
        began = next_step(began)
        extension_params = summary_extension_params(params)
        cache_spikeinterface_kernels()  # a worker after the first loads SpikeInterface's kernels, not compiles them
        for name in steps[1:-1]:
            analyzer.compute(name, **extension_params.get(name, {}), n_jobs=n_jobs, progress_bar=False, verbose=False)
            began = next_step(began)
        # The analyzer holds a copy of the sorting; the figure must name the shared one (its URI names the
        # sorting's curation journal, which a copy of an in-place sorting would not).
        analyzer.sorting = sorting
        widget = si.plot_sorting_summary(
            analyzer, backend="sortingview", curation=True, generate_url=False, display=False
        )
        figure_uri = Figure(widget.view).store(default_store())
        next_step(began)
        return {
            "figureUri": figure_uri,
            "recordingUri": checked["recording_uri"],
            "sortingUri": checked["sorting_uri"],
            "params": params,
            "numUnits": len(sorting.unit_ids),
            "numCpus": n_jobs,
            "steps": timings,
            "jobTimeSec": round(time.time() - started, 3),
            "node": node,
            "startedAt": started,
        }
    finally:
        stop.set()


def run_summary_here(task_input: dict, data: object) -> HandlerResult:
    """The handler's in-process form (the runner runs summary jobs as Ray tasks, see ``runner.sorting_executor``)."""
    return HandlerResult(run_summary_job(task_input, node_label()))
