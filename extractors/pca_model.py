"""An analyzer's fitted PCA (the ``principal_components`` extension) shared for the runner, which projects every spike with it.

SpikeInterface's extension holds projections of its random spikes only; a split takes every spike of a
unit. The runner reads each spike's snippet and applies the same fitted models (docs/curation.md,
"Feature view"), so the spikes the extension projected get the values it computed.
"""

from __future__ import annotations

import io

import numpy as np

from spikeinterface_sortingview.store import default_store

from .recording import ManifestError, load_manifest
from .sources import open_store

PCA_MODEL_FORMAT = "spikeinterface-sortingview/pca-model"
PCA_MODEL_VERSION = 1
MODES = ("by_channel_local", "by_channel_global", "concatenated")


def pca_model_arrays(extension) -> dict[str, np.ndarray] | None:
    """``mean``, ``components`` (whitening folded in) and ``ratio`` of each fitted model, and ``fitted`` per channel.

    For the ``by_channel`` modes there is one row per recording channel (``fitted`` false for a
    channel no unit's sparsity uses: SpikeInterface leaves its model unfitted); ``concatenated``
    has one model over the flattened snippets of all channels. None when the extension has fewer
    than 2 components or its models are not loaded.
    """
    params = extension.params
    if params["mode"] not in MODES or params["n_components"] < 2:
        return None
    try:
        models = extension.get_pca_model()
    except (AssertionError, KeyError, ValueError):
        return None  # a lazily loaded analyzer keeps no models
    models = models if isinstance(models, list) else [models]
    fitted = np.array([hasattr(m, "components_") for m in models])
    if not fitted.any():
        return None
    dim = next(m for m in models if hasattr(m, "components_")).components_.shape[1]
    mean = np.zeros((len(models), dim), dtype=np.float64)
    components = np.zeros((len(models), 2, dim), dtype=np.float64)
    ratio = np.zeros((len(models), 2), dtype=np.float64)
    for i, model in enumerate(models):
        if not fitted[i]:
            continue
        mean[i] = model.mean_
        components[i] = model.components_[:2]
        if params["whiten"]:
            # sklearn's whiten divides each projection by the square root of its explained variance
            components[i] /= np.sqrt(model.explained_variance_[:2])[:, None]
        ratio[i] = model.explained_variance_ratio_[:2]
    return {"mean": mean, "components": components, "ratio": ratio, "fitted": fitted}


def share_analyzer_pca_model(analyzer) -> str | None:
    """Share the analyzer's fitted PCA for the runner; None without a usable ``principal_components`` extension.

    Parameters
    ----------
    analyzer : SortingAnalyzer
        An analyzer with the ``principal_components`` extension (``n_components >= 2``, models
        loaded) and the ``waveforms`` extension it was computed from.

    Returns
    -------
    str | None
        The ``sha1://`` URI of the model's manifest.
    """
    if not analyzer.has_extension("principal_components"):
        return None
    if not analyzer.return_in_uV and _has_gains(analyzer):
        return None  # the models were fitted on raw traces; the runner reads µV
    extension = analyzer.get_extension("principal_components")
    arrays = pca_model_arrays(extension)
    if arrays is None:
        return None
    waveforms = analyzer.get_extension("waveforms")
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    store = default_store()
    manifest = {
        "format": PCA_MODEL_FORMAT,
        "version": PCA_MODEL_VERSION,
        "mode": extension.params["mode"],
        "n_components": int(extension.params["n_components"]),
        "whiten": bool(extension.params["whiten"]),
        "nbefore": int(waveforms.nbefore),
        "nafter": int(waveforms.nafter),
        "sampling_frequency": float(analyzer.sampling_frequency),
        "num_channels": int(analyzer.get_num_channels()),
        "in_uV": bool(analyzer.return_in_uV),
        "arrays_uri": store.store_bytes(buffer.getvalue()),
    }
    return store.store_json(manifest)


def _has_gains(analyzer) -> bool:
    """Whether the analyzer's recording scales its traces to µV with gains other than 1 or offsets other than 0."""
    if not (analyzer.has_recording() or analyzer.has_temporary_recording()):
        return True  # unknown: do not assume raw traces are µV
    recording = analyzer.recording
    if not recording.has_scaleable_traces():
        return False
    return bool(np.any(recording.get_channel_gains() != 1) or np.any(recording.get_channel_offsets() != 0))


def load_pca_model(uri: str, source_url: str | None = None) -> tuple[dict, dict[str, np.ndarray]]:
    """The manifest and the arrays (``mean``, ``components``, ``ratio``, ``fitted``) of a shared PCA model."""
    store = open_store(source_url)
    manifest = load_manifest(store, uri, PCA_MODEL_FORMAT, (PCA_MODEL_VERSION,))
    with np.load(store.file_path(manifest["arrays_uri"]), allow_pickle=False) as npz:
        arrays = {name: npz[name] for name in ("mean", "components", "ratio", "fitted")}
    dim = manifest["nbefore"] + manifest["nafter"]
    if manifest["mode"] == "concatenated":
        dim *= manifest["num_channels"]
    if arrays["mean"].shape[1] != dim or arrays["components"].shape[1:] != (2, dim):
        raise ManifestError(f"the PCA model {uri} has arrays of shape {arrays['mean'].shape}, not what it says")
    return manifest, arrays
