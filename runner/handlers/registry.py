"""The table of compute handlers: task name (with version) -> group, function, kind."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from ..handler_io.data import DataSource
from ..handler_io.errors import HandlerInputError
from ..handler_io.result import HandlerResult
from . import (
    clusters,
    correlograms,
    curation,
    extract_snippets,
    metrics,
    misc,
    sorting_jobs,
    spike_events,
    summaries,
    timeseries,
    waveforms,
)
from .merge_suggestions import merge_suggestions
from .splits import split_selection, unit_features

Handler = Callable[[dict, DataSource], HandlerResult]

# The handler groups of the old ``job_handlers`` config; a deployment sizes workers per group.
GROUPS = ("correlograms", "timeseries", "waveforms", "extract_snippets", "clusters", "metrics", "misc")
# Sorting jobs and sorting summaries are not run by a handler group's workers but as Ray tasks holding the CPUs
# they ask for.
SORTING_GROUP = "sorting"
DAY_SECONDS = 24 * 3600.0


@dataclass(frozen=True)
class HandlerSpec:
    """A registered handler.

    Attributes
    ----------
    name : str
        The task name, versioned (``sortingview.correlograms.1``): a changed computation gets a
        new version so cached results of the old one are not served for it.
    group : str
        One of :data:`GROUPS`.
    function : Handler
        ``function(task_input, data) -> HandlerResult``.
    kind : "calculation" | "action"
        A calculation is pure and its result cached forever; an action is never cached.
    job_key : Callable[[dict], dict] | None
        For a calculation whose id is not the hash of its whole input: checks the input and returns what the
        id hashes (a sorting job's sorter, sorter version, parameters and recording URI).
    default_timeout, max_timeout : float | None
        Seconds a job may run when the request gives no timeout, and at most (None: the compute API's).
    """

    name: str
    group: str
    function: Handler
    kind: Literal["calculation", "action"] = "calculation"
    job_key: Callable[[dict], dict] | None = None
    default_timeout: float | None = None
    max_timeout: float | None = None


_SPECS = [
    HandlerSpec("sortingview.correlograms.1", "correlograms", correlograms.correlograms),
    HandlerSpec("spikesortingview.fetch_cross_correlogram.2", "correlograms", correlograms.fetch_cross_correlogram),
    HandlerSpec("sortingview.traces_window.1", "timeseries", timeseries.traces_window),
    HandlerSpec("sortingview.spikes_window.1", "timeseries", spike_events.spikes_window),
    HandlerSpec("sortingview.average_waveforms.1", "waveforms", waveforms.average_waveforms),
    HandlerSpec("sortingview.snippets.1", "extract_snippets", extract_snippets.snippets),
    HandlerSpec("sortingview.pca_features.1", "clusters", clusters.pca_features),
    HandlerSpec("sortingview.unit_metrics.1", "metrics", metrics.unit_metrics),
    HandlerSpec("sortingview.unit_features.1", "clusters", unit_features),
    HandlerSpec("sortingview.split_selection.1", "clusters", split_selection),
    HandlerSpec("sortingview.merge_suggestions.1", "metrics", merge_suggestions),
    HandlerSpec("sortingview.spike_amplitudes.1", "misc", misc.spike_amplitudes),
    HandlerSpec("sortingview.recording_info.1", "misc", misc.recording_info),
    HandlerSpec("sortingview.sorting_info.1", "misc", misc.sorting_info),
    HandlerSpec("sortingview.curation_action.1", "misc", curation.curation_action, kind="action"),
    # Reads a journal that actions change, so it must not be cached either.
    HandlerSpec("sortingview.curation_state.1", "misc", curation.curation_state, kind="action"),
    HandlerSpec(
        sorting_jobs.SORTER_TASK,
        SORTING_GROUP,
        sorting_jobs.run_sorter_here,
        job_key=sorting_jobs.sorting_job_key,
        default_timeout=DAY_SECONDS,
        max_timeout=7 * DAY_SECONDS,
    ),
    HandlerSpec(
        summaries.SUMMARY_TASK,
        SORTING_GROUP,
        summaries.run_summary_here,
        job_key=summaries.summary_job_key,
        default_timeout=6 * 3600.0,
        max_timeout=DAY_SECONDS,
    ),
]

HANDLERS: dict[str, HandlerSpec] = {spec.name: spec for spec in _SPECS}


def get_handler(name: str) -> HandlerSpec:
    """The handler registered under a task name.

    Raises
    ------
    HandlerInputError
        For an unknown name (the message lists the known ones).
    """
    spec = HANDLERS.get(name)
    if spec is None:
        raise HandlerInputError(f"unknown task {name!r}; this runner handles {', '.join(sorted(HANDLERS))}")
    return spec


def run_handler(name: str, task_input: dict, data: DataSource) -> HandlerResult:
    """Run the handler of a task in this process; input errors name the task."""
    spec = get_handler(name)
    try:
        return spec.function(task_input, data)
    except HandlerInputError as error:
        raise HandlerInputError(f"{name}: {error}") from error
