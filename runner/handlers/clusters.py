"""PCA features of the spikes of one unit or a pair, to see whether they form one cluster or two."""

from __future__ import annotations

import numpy as np

from ..handler_io.data import DataSource
from ..handler_io.errors import HandlerInputError
from ..handler_io.inputs import TaskInput, plain_id
from ..handler_io.result import HandlerResult
from ..handler_io.snippet_inputs import SNIPPET_KEYS, SnippetRequest, read_snippet_request
from ..handler_io.spikes import SpikeSelection
from ..handler_io.trace_reading import TraceReader
from .waveforms import group_template

DEFAULT_MAX_SPIKES = 1000
MAX_SPIKES = 5000
DEFAULT_NUM_CHANNELS = 8
NUM_COMPONENTS = 3
TEMPLATE_SPIKES = 200


def best_channels(request: SnippetRequest, num_channels: int, seed: int) -> list[int]:
    """Indices (into the recording) of the channels where the union's template has the largest peak-to-peak."""
    template = group_template(request, request.unit_indices, TEMPLATE_SPIKES, seed)
    candidates = request.channel_indices or list(range(request.recording.get_num_channels()))
    if template is None:
        raise HandlerInputError(f"units {request.unit_ids} have no spikes far enough from the segment edges")
    ptp = np.ptp(template, axis=0)
    order = np.argsort(-ptp, kind="stable")[:num_channels]
    return [candidates[i] for i in sorted(order)]


def per_unit_selection(request: SnippetRequest, max_spikes: int, seed: int) -> SpikeSelection:
    """Up to ``max_spikes`` random spikes of each unit (so a small unit is not drowned by a big one)."""
    parts = [request.trains.select([u], request.segment_index, max_spikes, seed) for u in request.unit_indices]
    segment = np.concatenate([p.segment_index for p in parts])
    sample = np.concatenate([p.sample_index for p in parts])
    position = np.concatenate([np.full(len(p), i, dtype=np.int32) for i, p in enumerate(parts)])
    order = np.lexsort((position, sample, segment))
    return SpikeSelection(segment[order], sample[order], position[order])


def pca_features(task_input: dict, data: DataSource) -> HandlerResult:
    """``sortingview.pca_features.1``: 3 principal components of the snippets of one unit or a pair.

    Input: ``recording_uri``, ``sorting_uri``, ``unit_ids`` (1 or 2 unit ids), ``ms_before`` (1),
    ``ms_after`` (2), ``max_spikes`` (1000 per unit, drawn with ``seed``), ``channel_ids`` (the
    channels to choose from; default all), ``num_channels`` (8: the union template's largest
    channels are used), ``segment_index`` (default all).
    Output: ``features`` float32 (num_spikes, 3), ``spikeUnitIndices`` int32 (the unit of each
    spike, an index into ``unitIds``), ``unitIds``, ``spikeTimesSec`` float32, ``segmentIndices``
    int32, ``channelIds`` (used), ``explainedVarianceRatio``.
    """
    task = TaskInput(
        task_input,
        required=("recording_uri", "sorting_uri", "unit_ids"),
        optional=(*SNIPPET_KEYS, "max_spikes", "seed", "num_channels"),
    )
    request = read_snippet_request(task, data, max_units=2)
    max_spikes = task.integer("max_spikes", DEFAULT_MAX_SPIKES, minimum=NUM_COMPONENTS, maximum=MAX_SPIKES)
    num_channels = task.integer("num_channels", DEFAULT_NUM_CHANNELS, minimum=1, maximum=64)
    seed = task.integer("seed", 0, minimum=0)
    channels = best_channels(request, num_channels, seed)

    selection = per_unit_selection(request, max_spikes, seed)
    snippets, kept = TraceReader(request.recording, channels).snippets(selection, request.nbefore, request.nafter)
    if len(snippets) < NUM_COMPONENTS + 1:
        raise HandlerInputError(
            f"units {request.unit_ids} have {len(snippets)} usable spikes; PCA needs at least {NUM_COMPONENTS + 1}"
        )
    # imported here: scikit-learn takes ~1 s to import, and every new worker would pay it
    from sklearn.decomposition import PCA

    pca = PCA(n_components=NUM_COMPONENTS, svd_solver="full")
    features = pca.fit_transform(snippets.reshape(len(snippets), -1))
    fs = request.recording.sampling_frequency
    used = request.recording.channel_ids[channels]
    return HandlerResult(
        {
            "features": features.astype(np.float32),
            "spikeUnitIndices": selection.unit_position[kept],
            "unitIds": request.unit_ids,
            "spikeTimesSec": (selection.sample_index[kept] / fs).astype(np.float32),
            "segmentIndices": selection.segment_index[kept].astype(np.int32),
            "channelIds": [plain_id(c) for c in used],
            "explainedVarianceRatio": [float(v) for v in pca.explained_variance_ratio_],
        }
    )
