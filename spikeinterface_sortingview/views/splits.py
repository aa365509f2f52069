"""Views for splitting units and merge suggestions: they name the shared data the runner computes from."""

from __future__ import annotations

from .base import View
from .encoding import check_number, with_optional
from .spikes import SpikeAmplitudes, SpikeAmplitudesItem


def _check_uri(value: str | None, name: str) -> str | None:
    if value is not None and (not isinstance(value, str) or not value):
        raise ValueError(f"{name} must be a URI string such as 'sha1://...', got {value!r}")
    return value


class SplittableSpikeAmplitudes(SpikeAmplitudes):
    """Spike amplitudes a curator can split with a lasso (this project's extension of ``SpikeAmplitudes``).

    ``sorting_uri`` names the shared sorting and ``spike_features_uri`` the amplitude of every
    spike (``extractors.spike_features``), so the runner applies a lasso to all of a unit's
    spikes, not only the ones drawn. Pages that do not know the two fields show plain amplitudes.
    """

    def __init__(
        self,
        start_time_sec: float,
        end_time_sec: float,
        units: list[SpikeAmplitudesItem],
        hide_unit_selector: bool = False,
        sorting_uri: str | None = None,
        spike_features_uri: str | None = None,
        recording_uri: str | None = None,
        chunks: list | None = None,
    ):
        super().__init__(start_time_sec, end_time_sec, units, hide_unit_selector, chunks=chunks)
        self.sorting_uri = _check_uri(sorting_uri, "sorting_uri")
        self.spike_features_uri = _check_uri(spike_features_uri, "spike_features_uri")
        self.recording_uri = _check_uri(recording_uri, "recording_uri")

    def data(self) -> dict:
        return with_optional(
            super().data(),
            sortingUri=self.sorting_uri,
            spikeFeaturesUri=self.spike_features_uri,
            recordingUri=self.recording_uri,
        )


class FeatureView(View):
    """Principal components of the selected unit's spikes, computed by the runner, with a lasso to split it.

    Parameters
    ----------
    sorting_uri, recording_uri : str
        The shared sorting and the recording it was made from (``share_sorting``, ``share_recording``).
    ms_before, ms_after : float
        The snippet window around each spike, in ms.
    num_channels : int
        The unit's largest channels the components are computed on.
    pca_model_uri : str | None
        The analyzer's fitted PCA (``extractors.pca_model.share_analyzer_pca_model``): the runner
        projects every spike with it instead of fitting its own, and the window is the model's.
    """

    type = "FeatureView"

    def __init__(
        self,
        sorting_uri: str,
        recording_uri: str,
        ms_before: float = 1.0,
        ms_after: float = 2.0,
        num_channels: int = 8,
        pca_model_uri: str | None = None,
    ):
        self.sorting_uri = _check_uri(sorting_uri, "sorting_uri")
        self.recording_uri = _check_uri(recording_uri, "recording_uri")
        if sorting_uri is None or recording_uri is None:
            raise ValueError("FeatureView needs both sorting_uri and recording_uri: the runner computes the features")
        self.ms_before = check_number(ms_before, "msBefore")
        self.ms_after = check_number(ms_after, "msAfter")
        if not isinstance(num_channels, int) or isinstance(num_channels, bool) or not 1 <= num_channels <= 64:
            raise ValueError(f"num_channels must be an int from 1 to 64, got {num_channels!r}")
        self.num_channels = num_channels
        self.pca_model_uri = _check_uri(pca_model_uri, "pca_model_uri")

    def data(self) -> dict:
        fields = {
            "sortingUri": self.sorting_uri,
            "recordingUri": self.recording_uri,
            "msBefore": self.ms_before,
            "msAfter": self.ms_after,
            "numChannels": self.num_channels,
        }
        return with_optional(fields, pcaModelUri=self.pca_model_uri)


class MergeSuggestions(View):
    """Candidate merges from SpikeInterface's auto-merge, computed by the runner, to accept or dismiss one by one.

    Parameters
    ----------
    sorting_uri, recording_uri : str
        The shared sorting and its recording.
    presets : list of str
        ``compute_merge_unit_groups`` presets offered (the first is computed on opening).
    """

    type = "MergeSuggestions"

    def __init__(self, sorting_uri: str, recording_uri: str, presets: list[str] | None = None):
        if not sorting_uri or not recording_uri:
            raise ValueError("MergeSuggestions needs sorting_uri and recording_uri: the runner computes the merges")
        self.sorting_uri = _check_uri(sorting_uri, "sorting_uri")
        self.recording_uri = _check_uri(recording_uri, "recording_uri")
        self.presets = None if presets is None else [str(p) for p in presets]

    def data(self) -> dict:
        return with_optional({"sortingUri": self.sorting_uri, "recordingUri": self.recording_uri}, presets=self.presets)
