"""Per-spike features of a sorting (amplitudes, locations) shared by URI, for splits over every spike of a unit.

A figure shows a subsample of each unit's spikes; a split must name all of them. The sorting
summary stores the analyzer's per-spike values once, in the order of the sorting's spike vector
(``sorting.to_spike_vector()``: by segment, sample, then unit), and the runner applies a
curator's polygon to every spike of a unit through them (``docs/compute-api.md``, splits).
"""

from __future__ import annotations

import io

import numpy as np

from spikeinterface_sortingview.store import default_store

from .recording import ManifestError, load_manifest
from .sources import open_store

SPIKE_FEATURES_FORMAT = "spikeinterface-sortingview/spike-features"
SPIKE_FEATURES_VERSION = 1
KNOWN_COLUMNS = ("amplitude", "x", "y")


def share_spike_features(columns: dict[str, np.ndarray]) -> str:
    """Store per-spike feature columns and return the URI of their manifest.

    Parameters
    ----------
    columns : dict[str, np.ndarray]
        ``{"amplitude": ..., "x": ..., "y": ...}`` (any subset), each one value per spike of the
        sorting's spike vector, in its order.

    Returns
    -------
    str
        The ``sha1://`` URI of the manifest; the same values give the same URI.
    """
    if not columns:
        raise ValueError("give at least one feature column")
    unknown = sorted(set(columns) - set(KNOWN_COLUMNS))
    if unknown:
        raise ValueError(f"unknown feature column(s) {unknown}; the columns are {KNOWN_COLUMNS}")
    lengths = {name: len(values) for name, values in columns.items()}
    if len(set(lengths.values())) != 1:
        raise ValueError(f"feature columns have different lengths {lengths}; give one value per spike")
    names = [name for name in KNOWN_COLUMNS if name in columns]
    values = np.stack([np.asarray(columns[name], dtype="<f4") for name in names], axis=1)
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(values), allow_pickle=False)
    store = default_store()
    manifest = {
        "format": SPIKE_FEATURES_FORMAT,
        "version": SPIKE_FEATURES_VERSION,
        "columns": names,
        "num_spikes": int(values.shape[0]),
        "values_uri": store.store_bytes(buffer.getvalue()),
    }
    return store.store_json(manifest)


def load_spike_features(uri: str, source_url: str | None = None) -> tuple[list[str], np.ndarray]:
    """The column names and the values (num_spikes x columns, float32, memory-mapped) of shared spike features."""
    store = open_store(source_url)
    manifest = load_manifest(store, uri, SPIKE_FEATURES_FORMAT, (SPIKE_FEATURES_VERSION,))
    values = np.load(store.file_path(manifest["values_uri"]), mmap_mode="r", allow_pickle=False)
    if values.shape != (manifest["num_spikes"], len(manifest["columns"])):
        raise ManifestError(f"the spike features of {uri} have shape {values.shape}, not what the manifest says")
    return list(manifest["columns"]), values
