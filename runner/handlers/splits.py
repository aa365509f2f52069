"""Splitting a unit: the features a curator draws a polygon in, the spikes the polygon takes, and a preview of both parts."""

from __future__ import annotations

import math

import numpy as np

from ..handler_io.data import DataSource
from ..handler_io.errors import HandlerInputError
from ..handler_io.inputs import TaskInput
from ..handler_io.result import HandlerResult
from ..handler_io.trace_reading import data_units
from ..handler_io.unit_spikes import (
    FEATURE_KINDS,
    PCA_KEYS,
    DisplayedUnit,
    PcaModel,
    feature_values,
    fit_pca,
    read_displayed_unit,
    sample_spikes,
    subset,
)
from .correlograms import bin_edges_sec, correlogram_bins, count_correlogram

UNIT_KEYS = ("sorting_uri", "unit_ids", "spike_indices")
DEFAULT_DISPLAY_SPIKES = 2000
MAX_DISPLAY_SPIKES = 50_000
MAX_POLYGON_VERTICES = 1000
PREVIEW_AMPLITUDES = 3000
PREVIEW_TEMPLATE_SPIKES = 200
PREVIEW_WINDOW_MS = 50.0
PREVIEW_BIN_MS = 1.0
AXIS_LABELS = {"amplitudes": ["time (s)", "amplitude"], "locations": ["x (µm)", "y (µm)"], "pca": ["PC1", "PC2"]}


def unit_features(task_input: dict, data: DataSource) -> HandlerResult:
    """``sortingview.unit_features.1``: two features of a sample of a displayed unit's spikes, to draw and lasso.

    Input: ``sorting_uri``, ``unit_ids`` (a unit or a merge group), ``spike_indices`` (optional: a part
    of it, numbers into its time-ordered spikes), ``feature`` (``pca``), ``recording_uri``,
    ``ms_before`` (1), ``ms_after`` (2), ``num_channels`` (8), ``seed`` (0), ``max_spikes`` (2000),
    ``pca_model_uri`` (optional: the analyzer's fitted PCA, ``extractors.pca_model``; it replaces the
    runner's own model and its window).
    Output: ``positions`` int32 (the numbers of the drawn spikes), ``features`` float32 (n x 2; NaN
    for spikes too near a segment edge), ``numSpikes``, ``axisLabels``, ``channelIds``,
    ``explainedVarianceRatio``, ``pcaSource`` (``runner`` or which analyzer model). ``sortingview.split_selection.1`` with the same keys uses the same
    components, so a polygon drawn on these features takes the same spikes.
    """
    task = TaskInput(
        task_input, required=("sorting_uri", "unit_ids", "feature"), optional=(*UNIT_KEYS, *PCA_KEYS, "max_spikes")
    )
    kind = task.choice("feature", ("pca",))
    unit = read_displayed_unit(task, data)
    max_spikes = task.integer("max_spikes", DEFAULT_DISPLAY_SPIKES, minimum=1, maximum=MAX_DISPLAY_SPIKES)
    if not task.has("recording_uri"):
        raise HandlerInputError("feature 'pca' needs recording_uri (the runner reads the spikes' snippets)")
    model = fit_pca(task, data, unit)
    keep = sample_spikes(unit.selection, max_spikes, task.integer("seed", 0, minimum=0))
    return HandlerResult(
        {
            "positions": keep.astype(np.int32),
            "features": model.transform(subset(unit.selection, keep)),
            "numSpikes": len(unit),
            "axisLabels": AXIS_LABELS[kind],
            "channelIds": model.channel_ids,
            "explainedVarianceRatio": model.explained_variance_ratio,
            "pcaSource": model.source,
        }
    )


def read_polygon(value) -> np.ndarray:
    """A polygon ``[[x, y], ...]`` of 3 to 1000 finite vertices with a non-zero area, as float64 (n x 2)."""
    if not isinstance(value, list) or len(value) < 3:
        raise HandlerInputError("polygon must be a list of at least 3 [x, y] vertices in the view's feature space")
    if len(value) > MAX_POLYGON_VERTICES:
        raise HandlerInputError(
            f"polygon has {len(value)} vertices; at most {MAX_POLYGON_VERTICES} (simplify the lasso)"
        )
    for i, vertex in enumerate(value):
        if (
            not isinstance(vertex, list)
            or len(vertex) != 2
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in vertex)
        ):
            raise HandlerInputError(f"polygon[{i}] must be [x, y] with two finite numbers, got {str(vertex)[:40]}")
    polygon = np.asarray(value, dtype=np.float64)
    x, y = polygon[:, 0], polygon[:, 1]
    area = 0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))
    if area == 0:
        raise HandlerInputError("polygon has zero area (its vertices are on one line); draw around the spikes")
    return polygon


def inside_polygon(points: np.ndarray, polygon: np.ndarray) -> np.ndarray:
    """Whether each point (n x 2) is inside the polygon, by the even-odd rule; NaN points are outside."""
    x, y = points[:, 0].astype(np.float64), points[:, 1].astype(np.float64)
    inside = np.zeros(len(points), dtype=bool)
    x1, y1 = polygon[:, 0], polygon[:, 1]
    x2, y2 = np.roll(x1, -1), np.roll(y1, -1)
    for ax, ay, bx, by in zip(x1, y1, x2, y2, strict=True):
        # The edge crosses the horizontal line through the point, to the point's right.
        crosses = (ay > y) != (by > y)
        with np.errstate(divide="ignore", invalid="ignore"):
            at = ax + (y - ay) * (bx - ax) / (by - ay)
        inside ^= crosses & (x < at)
    return inside


def split_selection(task_input: dict, data: DataSource) -> HandlerResult:
    """``sortingview.split_selection.1``: the spikes of a displayed unit inside a polygon, and a preview of both parts.

    Input: ``sorting_uri``, ``unit_ids``, ``spike_indices`` (optional, as in ``unit_features``),
    ``feature`` (``amplitudes``, ``locations`` or ``pca``), ``polygon`` (``[[x, y], ...]`` in the
    feature's space), ``spike_features_uri`` (amplitudes and locations), ``recording_uri`` (pca;
    templates in the preview), the PCA keys of ``unit_features``.
    Output: ``indices`` int32 (the numbers of the spikes inside, sorted: one part of the split),
    ``numSpikes`` ``[inside, outside]``, ``binEdgesSec`` and ``autocorrelograms`` int32 (2 x bins),
    and when the data allow: ``amplitudeTimesSec``, ``amplitudes``, ``amplitudePart`` (a sample of
    both parts), ``templates`` float32 (2 x channels x samples), ``templateChannelIds``,
    ``samplingFrequency``, ``nbefore``, ``dataUnits``.
    """
    task = TaskInput(
        task_input,
        required=("sorting_uri", "unit_ids", "feature", "polygon"),
        optional=(*UNIT_KEYS, *PCA_KEYS, "spike_features_uri"),
    )
    kind = task.choice("feature", FEATURE_KINDS)
    polygon = read_polygon(task.raw("polygon"))
    unit = read_displayed_unit(task, data)
    # One model for the features and the preview's templates: fitting reads a thousand snippets.
    model = fit_pca(task, data, unit) if task.has("recording_uri") else None
    inside = inside_polygon(feature_values(task, data, unit, kind, np.arange(len(unit)), model), polygon)
    indices = np.flatnonzero(inside)
    result = {"indices": indices.astype(np.int32), "numSpikes": [int(inside.sum()), int((~inside).sum())]}
    result.update(preview_correlograms(data, task.string("sorting_uri"), unit, inside))
    if task.has("spike_features_uri"):
        result.update(preview_amplitudes(task, data, unit, inside))
    if model is not None:
        result.update(preview_templates(task, data, unit, inside, model))
    return HandlerResult(result)


def preview_correlograms(data: DataSource, sorting_uri: str, unit: DisplayedUnit, inside: np.ndarray) -> dict:
    """Autocorrelograms of both parts (50 ms window, 1 ms bins, centred on zero)."""
    trains = data.spike_trains(sorting_uri)
    num_bins = correlogram_bins(PREVIEW_WINDOW_MS, PREVIEW_BIN_MS)
    bin_samples = PREVIEW_BIN_MS * trains.sampling_frequency / 1000.0
    counts = np.zeros((2, num_bins), dtype=np.int64)
    for part, mask in enumerate((inside, ~inside)):
        for segment in np.unique(unit.selection.segment_index):
            train = unit.selection.sample_index[mask & (unit.selection.segment_index == segment)]
            counts[part] += count_correlogram(train, train, num_bins, bin_samples, same_train=True)
    return {"binEdgesSec": bin_edges_sec(num_bins, PREVIEW_BIN_MS), "autocorrelograms": counts.astype(np.int32)}


def preview_amplitudes(task: TaskInput, data: DataSource, unit: DisplayedUnit, inside: np.ndarray) -> dict:
    """A seeded sample of each part's (time, amplitude) from the shared spike features."""
    seed = task.integer("seed", 0, minimum=0)
    parts = [np.flatnonzero(mask) for mask in (inside, ~inside)]
    keep = np.sort(
        np.concatenate([p[sample_spikes(subset(unit.selection, p), PREVIEW_AMPLITUDES, seed)] for p in parts])
    )
    values = feature_values(task, data, unit, "amplitudes", keep)
    return {
        "amplitudeTimesSec": values[:, 0],
        "amplitudes": values[:, 1],
        "amplitudePart": (~inside[keep]).astype(np.uint8),
    }


def preview_templates(
    task: TaskInput, data: DataSource, unit: DisplayedUnit, inside: np.ndarray, model: PcaModel
) -> dict:
    """Mean snippets of up to 200 random spikes of each part (NaN for an empty part), on the unit's largest channels."""
    seed = task.integer("seed", 0, minimum=0)
    reader = model.reader
    templates = []
    for mask in (inside, ~inside):
        numbers = np.flatnonzero(mask)
        chosen = numbers[sample_spikes(subset(unit.selection, numbers), PREVIEW_TEMPLATE_SPIKES, seed)]
        snippets, _ = reader.snippets(subset(unit.selection, chosen), model.nbefore, model.nafter)
        mean = (
            snippets.mean(axis=0)
            if len(snippets)
            else np.full((model.nbefore + model.nafter, reader.num_channels), np.nan)
        )
        templates.append(mean.T)
    recording = data.recording(task.string("recording_uri"))
    return {
        "templates": np.asarray(templates, dtype=np.float32),
        "templateChannelIds": model.channel_ids,
        "samplingFrequency": float(recording.sampling_frequency),
        "nbefore": model.nbefore,
        "dataUnits": data_units(recording),
    }
