"""Candidate merges from SpikeInterface's own auto-merge (``compute_merge_unit_groups``), for a curator to accept or dismiss."""

from __future__ import annotations

import warnings

from spikeinterface_sortingview.numba_cache import cache_spikeinterface_kernels

from ..handler_io.data import DataSource
from ..handler_io.errors import HandlerInputError
from ..handler_io.inputs import TaskInput, plain_id, resolve_ids
from ..handler_io.result import HandlerResult

# SpikeInterface 0.105's presets (spikeinterface.curation.auto_merge); "feature_neighbors" needs spike
# locations, which would read every spike of the recording, so it is left out.
PRESETS = ("similarity_correlograms", "temporal_splits", "x_contaminations", "slay")
DEFAULT_PRESET = "similarity_correlograms"
MAX_UNITS = 1000
# Random spikes per unit for the templates the presets compare (SpikeInterface's default is 500).
TEMPLATE_SPIKES = 200


def merge_suggestions(task_input: dict, data: DataSource) -> HandlerResult:
    """``sortingview.merge_suggestions.1``: groups of units SpikeInterface's auto-merge proposes to merge.

    Input: ``recording_uri``, ``sorting_uri``, ``preset`` (``similarity_correlograms``,
    ``temporal_splits``, ``x_contaminations`` or ``slay``; default ``similarity_correlograms``),
    ``unit_ids`` (default all; at most 1000), ``seed`` (0).
    Output: ``preset``, ``groups`` (lists of unit ids, each a proposed merge, as SpikeInterface
    resolves them into groups), ``unitIds`` (the units considered).

    A sparse in-memory analyzer is made from the recording and sorting, with templates from
    200 random spikes per unit; the preset computes the rest of what it needs with
    SpikeInterface's defaults.
    """
    task = TaskInput(task_input, required=("recording_uri", "sorting_uri"), optional=("preset", "unit_ids", "seed"))
    preset = task.choice("preset", PRESETS, DEFAULT_PRESET)
    seed = task.integer("seed", 0, minimum=0)
    recording = data.recording(task.string("recording_uri"))
    sorting = data.sorting(task.string("sorting_uri"))
    if task.has("unit_ids"):
        indices = resolve_ids(task.raw("unit_ids"), sorting.unit_ids, "unit_ids")
        if len(indices) < 2:
            raise HandlerInputError("unit_ids must name at least 2 units to look for merges among them")
        sorting = sorting.select_units(sorting.unit_ids[sorted(indices)])
    if sorting.get_num_units() > MAX_UNITS:
        raise HandlerInputError(
            f"the sorting has {sorting.get_num_units()} units; pass unit_ids with at most {MAX_UNITS} of them"
        )
    if sorting.get_num_units() < 2:
        raise HandlerInputError("the sorting has fewer than 2 units: there is nothing to merge")
    # imported here: spikeinterface.curation pulls in much that other handlers of this worker never use
    from spikeinterface.core import create_sorting_analyzer
    from spikeinterface.curation import compute_merge_unit_groups

    job_kwargs = {"n_jobs": 1, "progress_bar": False}
    cache_spikeinterface_kernels()  # the auto-merge's template similarity: compiled by the first worker only
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "recording is not serializable" and similar notes, not errors
        analyzer = create_sorting_analyzer(sorting, recording, format="memory", sparse=True, **job_kwargs)
        analyzer.compute("random_spikes", max_spikes_per_unit=TEMPLATE_SPIKES, seed=seed)
        analyzer.compute("templates", **job_kwargs)
        groups = compute_merge_unit_groups(analyzer, preset=preset, resolve_graph=True, **job_kwargs)
    return HandlerResult(
        {
            "preset": preset,
            "groups": [[plain_id(u) for u in group] for group in groups],
            "unitIds": [plain_id(u) for u in sorting.unit_ids],
        }
    )
