"""A displayed unit's full spike train (a unit, a merge group, or a part of an earlier split) and its features.

The spikes of a displayed unit are numbered in time order: by segment, then sample, then the
sorting's unit order for spikes at the same sample of a merge group (the sorting's spike vector
order). A split names spikes by these numbers (docs/compute-api.md, splits).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from extractors.pca_model import load_pca_model
from extractors.spike_features import load_spike_features

from .data import DataSource
from .errors import HandlerInputError
from .inputs import TaskInput, plain_id, resolve_ids
from .spikes import SpikeSelection, SpikeTrains
from .trace_reading import TraceReader

FEATURE_KINDS = ("amplitudes", "locations", "pca")
# Spikes read to choose the PCA channels and to fit the components; the same input gives the same model.
PCA_FIT_SPIKES = 1000
PCA_TEMPLATE_SPIKES = 200
DEFAULT_PCA_CHANNELS = 8
# All spikes of a unit are read for its PCA features: beyond this, a split would take minutes.
MAX_PCA_SPIKES = 300_000
PCA_KEYS = ("recording_uri", "ms_before", "ms_after", "num_channels", "seed", "pca_model_uri")


@dataclass
class DisplayedUnit:
    """The spikes of a displayed unit.

    Attributes
    ----------
    unit_indices : list[int]
        The sorting's units it is made of, in the sorting's order.
    selection : SpikeSelection
        Its spikes in time order (``unit_position`` indexes ``unit_indices``).
    vector_index : np.ndarray
        For each spike, its position in the sorting's spike vector (int64).
    """

    unit_ids: list
    unit_indices: list[int]
    selection: SpikeSelection
    vector_index: np.ndarray

    def __len__(self) -> int:
        return len(self.selection)


def check_spike_indices(value, num_spikes: int, key: str) -> np.ndarray:
    """Sorted, unique, in-range spike numbers (int64) from a JSON list."""
    if not isinstance(value, list) or not value:
        raise HandlerInputError(f"{key} must be a non-empty list of spike indices (ints), got {type(value).__name__}")
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise HandlerInputError(f"{key} must hold ints only (0-based spike indices)")
    indices = np.asarray(value, dtype=np.int64)
    if np.any(np.diff(indices) <= 0):
        raise HandlerInputError(f"{key} must be sorted ascending without repeats")
    if indices[0] < 0 or indices[-1] >= num_spikes:
        raise HandlerInputError(
            f"{key} holds {int(indices[0]) if indices[0] < 0 else int(indices[-1])}, outside the {num_spikes} spikes "
            f"of the unit (indices run from 0 to {num_spikes - 1})"
        )
    return indices


def spike_vector_positions(data: DataSource, sorting_uri: str) -> tuple[np.ndarray, np.ndarray]:
    """Per unit, the positions of its spikes in the sorting's spike vector: (order, bounds), kept per sorting."""

    def compute():
        unit_index = data.sorting(sorting_uri).to_spike_vector()["unit_index"]
        order = np.argsort(unit_index, kind="stable")
        bounds = np.searchsorted(unit_index[order], np.arange(len(data.sorting(sorting_uri).unit_ids) + 1))
        return order, bounds

    return data.derived(("spike_vector_positions", sorting_uri), compute)


def read_displayed_unit(task: TaskInput, data: DataSource) -> DisplayedUnit:
    """Resolve ``sorting_uri``, ``unit_ids`` (a unit or a merge group) and ``spike_indices`` (a part of it)."""
    sorting_uri = task.string("sorting_uri")
    trains: SpikeTrains = data.spike_trains(sorting_uri)
    unit_indices = sorted(resolve_ids(task.raw("unit_ids"), trains.unit_ids, "unit_ids"))
    selection = trains.select(unit_indices)
    order, bounds = spike_vector_positions(data, sorting_uri)
    vector_index = np.sort(np.concatenate([order[bounds[u] : bounds[u + 1]] for u in unit_indices]))
    if task.has("spike_indices"):
        keep = check_spike_indices(task.raw("spike_indices"), len(selection), "spike_indices")
        selection = SpikeSelection(
            selection.segment_index[keep], selection.sample_index[keep], selection.unit_position[keep]
        )
        vector_index = vector_index[keep]
    if len(selection) == 0:
        raise HandlerInputError(f"unit(s) {[plain_id(trains.unit_ids[u]) for u in unit_indices]} have no spikes")
    unit_ids = [plain_id(trains.unit_ids[u]) for u in unit_indices]
    return DisplayedUnit(unit_ids, unit_indices, selection, vector_index)


def stored_columns(data: DataSource, uri: str, sorting_uri: str, names: tuple[str, ...]) -> np.ndarray:
    """Columns of shared spike features (``extractors.spike_features``), checked against the sorting."""
    try:
        columns, values = data.derived(("spike_features", uri), lambda: load_spike_features(uri))
    except (FileNotFoundError, ValueError) as error:
        raise HandlerInputError(f"cannot load the spike features {uri!r}: {error}") from error
    missing = [n for n in names if n not in columns]
    if missing:
        raise HandlerInputError(
            f"the spike features {uri} have no {', '.join(missing)} (they hold {', '.join(columns)}); "
            "compute the analyzer extension (spike_amplitudes, spike_locations) before building the figure"
        )
    num_spikes = len(data.sorting(sorting_uri).to_spike_vector())
    if len(values) != num_spikes:
        raise HandlerInputError(
            f"the spike features {uri} describe {len(values)} spikes but the sorting has {num_spikes}; "
            "send the features made from this sorting"
        )
    return values[:, [columns.index(n) for n in names]]


@dataclass
class PcaModel:
    """PCA of a displayed unit's snippets on its largest channels, fitted on a seeded sample."""

    reader: TraceReader
    channel_ids: list
    nbefore: int
    nafter: int
    mean: np.ndarray
    components: np.ndarray
    explained_variance_ratio: list[float]
    # "runner", or the analyzer's principal_components extension the model came from
    source: str = "runner"

    def transform(self, selection: SpikeSelection) -> np.ndarray:
        """Two components (float32, spikes x 2) of every selected spike; NaN for spikes too near a segment edge."""
        out = np.full((len(selection), 2), np.nan, dtype=np.float32)
        snippets, kept = self.reader.snippets(selection, self.nbefore, self.nafter)
        flat = snippets.reshape(len(snippets), -1)
        out[kept] = (flat - self.mean) @ self.components.T
        return out


def fit_pca(task: TaskInput, data: DataSource, unit: DisplayedUnit) -> PcaModel:
    """The PCA model of a displayed unit: the analyzer's (``pca_model_uri``), else fitted on a seeded sample.

    The runner's own model: the unit's ``num_channels`` largest channels, the first two components
    of the SVD of 1000 seeded spikes' snippets.
    """
    recording = data.recording(task.string("recording_uri"))
    fs = recording.sampling_frequency
    if not np.isclose(fs, data.spike_trains(task.string("sorting_uri")).sampling_frequency):
        raise HandlerInputError("the recording and the sorting have different sampling frequencies")
    if len(unit) > MAX_PCA_SPIKES:
        raise HandlerInputError(
            f"the unit has {len(unit)} spikes; PCA features are computed for at most {MAX_PCA_SPIKES}: "
            "split it in the amplitudes or locations view first"
        )
    seed = task.integer("seed", 0, minimum=0)
    if task.has("pca_model_uri"):
        return analyzer_pca(task, data, unit, recording, seed)
    nbefore = int(round(task.number("ms_before", 1.0, minimum=0.1, maximum=20) * fs / 1000))
    nafter = int(round(task.number("ms_after", 2.0, minimum=0.1, maximum=20) * fs / 1000))
    num_channels = task.integer("num_channels", DEFAULT_PCA_CHANNELS, minimum=1, maximum=64)
    sample = sample_spikes(unit.selection, PCA_FIT_SPIKES, seed)
    channels = largest_channels(recording, subset(unit.selection, sample[:PCA_TEMPLATE_SPIKES]), nbefore, nafter)
    channels = sorted(channels[:num_channels])
    reader = TraceReader(recording, channels)
    fit, _ = reader.snippets(subset(unit.selection, sample), nbefore, nafter)
    if len(fit) < 3:
        raise HandlerInputError(f"the unit has {len(fit)} usable spikes; PCA needs at least 3")
    flat = fit.reshape(len(fit), -1).astype(np.float64)
    mean = flat.mean(axis=0)
    # SVD of the centred sample: deterministic, so the feature view and the split agree.
    _, singular, vt = np.linalg.svd(flat - mean, full_matrices=False)
    # The sign of a component is arbitrary; fix it so the largest loading is positive.
    signs = np.sign(vt[np.arange(2), np.argmax(np.abs(vt[:2]), axis=1)])
    components = (vt[:2] * signs[:, None]).astype(np.float32)
    variance = singular**2
    ratio = [float(v) for v in variance[:2] / variance.sum()] if variance.sum() > 0 else [0.0, 0.0]
    channel_ids = [plain_id(c) for c in recording.channel_ids[channels]]
    return PcaModel(reader, channel_ids, nbefore, nafter, mean.astype(np.float32), components, ratio)


def largest_channels(recording, selection: SpikeSelection, nbefore: int, nafter: int) -> list[int]:
    """All channels (indices), the one where the mean snippet of the selected spikes has the largest peak-to-peak first."""
    snippets, _ = TraceReader(recording).snippets(selection, nbefore, nafter)
    if len(snippets) == 0:
        raise HandlerInputError("the unit has no spikes far enough from the segment edges for PCA")
    return np.argsort(-np.ptp(snippets.mean(axis=0), axis=0), kind="stable").tolist()


def analyzer_pca(task: TaskInput, data: DataSource, unit: DisplayedUnit, recording, seed: int) -> PcaModel:
    """The analyzer's fitted PCA (``extractors.pca_model``) on the unit's largest channel (all channels if concatenated).

    The two features are the first two components the extension computed, so a spike among its
    random spikes gets the projection SpikeInterface stored for it.
    """
    uri = task.string("pca_model_uri")
    try:
        manifest, arrays = data.derived(("pca_model", uri), lambda: load_pca_model(uri))
    except (FileNotFoundError, ValueError) as error:
        raise HandlerInputError(f"cannot load the PCA model {uri!r}: {error}") from error
    if manifest["num_channels"] != recording.get_num_channels() or not np.isclose(
        manifest["sampling_frequency"], recording.sampling_frequency
    ):
        raise HandlerInputError(
            f"the PCA model {uri} was fitted on a recording of {manifest['num_channels']} channels at "
            f"{manifest['sampling_frequency']} Hz; send the recording of the analyzer it came from"
        )
    nbefore, nafter = manifest["nbefore"], manifest["nafter"]
    mode = manifest["mode"]
    if mode == "concatenated":
        row, channels = 0, list(range(recording.get_num_channels()))
    else:
        sample = sample_spikes(unit.selection, PCA_TEMPLATE_SPIKES, seed)
        order = largest_channels(recording, subset(unit.selection, sample), nbefore, nafter)
        channel = next(c for c in order if arrays["fitted"][c if mode == "by_channel_local" else 0])
        row, channels = (channel if mode == "by_channel_local" else 0), [channel]
    channel_ids = [plain_id(c) for c in recording.channel_ids[channels]]
    where = "all channels" if mode == "concatenated" else f"channel {channel_ids[0]}"
    return PcaModel(
        TraceReader(recording, channels),
        channel_ids,
        nbefore,
        nafter,
        arrays["mean"][row].astype(np.float32),
        arrays["components"][row].astype(np.float32),
        [float(v) for v in arrays["ratio"][row]],
        source=f"the analyzer's principal_components ({mode}, {where})",
    )


def sample_spikes(selection: SpikeSelection, max_spikes: int, seed: int) -> np.ndarray:
    """Sorted numbers of up to ``max_spikes`` spikes drawn with ``default_rng(seed)`` (all when fewer)."""
    if len(selection) <= max_spikes:
        return np.arange(len(selection))
    return np.sort(np.random.default_rng(seed).choice(len(selection), size=max_spikes, replace=False))


def subset(selection: SpikeSelection, keep: np.ndarray) -> SpikeSelection:
    """The selected spikes at positions ``keep`` (sorted), still in time order."""
    return SpikeSelection(selection.segment_index[keep], selection.sample_index[keep], selection.unit_position[keep])


def feature_values(
    task: TaskInput, data: DataSource, unit: DisplayedUnit, kind: str, keep: np.ndarray, model: PcaModel | None = None
) -> np.ndarray:
    """Two features (float32, len(keep) x 2) of the displayed unit's spikes ``keep``, in the space the views draw.

    ``amplitudes``: (time in s from the segment start, amplitude) from ``spike_features_uri``;
    ``locations``: (x, y) in µm from ``spike_features_uri``; ``pca``: the first two principal
    components of the snippets (``model``, else ``fit_pca``), read from ``recording_uri``.
    """
    if kind == "pca":
        if not task.has("recording_uri"):
            raise HandlerInputError("feature 'pca' needs recording_uri (the runner reads the spikes' snippets)")
        return (model or fit_pca(task, data, unit)).transform(subset(unit.selection, keep))
    if not task.has("spike_features_uri"):
        raise HandlerInputError(
            f"feature {kind!r} needs spike_features_uri (the figure's per-spike values, see docs/compute-api.md)"
        )
    names = ("amplitude",) if kind == "amplitudes" else ("x", "y")
    values = stored_columns(data, task.string("spike_features_uri"), task.string("sorting_uri"), names)
    rows = np.asarray(values[unit.vector_index[keep]], dtype=np.float32)
    if kind == "locations":
        return rows
    fs = data.spike_trains(task.string("sorting_uri")).sampling_frequency
    times = (unit.selection.sample_index[keep] / fs).astype(np.float32)
    return np.stack([times, rows[:, 0]], axis=1)
