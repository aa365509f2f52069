"""Views placed on the probe: AverageWaveforms, UnitLocations, ElectrodeGeometry and the Summary."""

from __future__ import annotations

import numpy as np

from .base import View
from .encoding import (
    FigureDataError,
    channel_locations_dict,
    check_array,
    check_number,
    check_unit_id,
    with_optional,
)


class AverageWaveformItem:
    """The average waveform of one unit on its channels, shaped (num_channels, num_samples).

    ``waveform_percentiles`` is a list of 2 or 4 arrays of the same shape (outer to inner pairs).
    """

    def __init__(
        self,
        unit_id: int | str,
        channel_ids: list,
        waveform: np.ndarray,
        waveform_std_dev: np.ndarray | None = None,
        waveform_percentiles: list[np.ndarray] | None = None,
    ):
        self.unit_id = check_unit_id(unit_id, "unit_id")
        self.channel_ids = [check_unit_id(ch, "channel id") for ch in channel_ids]
        what = f"unit {unit_id}"
        self.waveform = check_array(waveform, f"waveform of {what}", ndim=2)
        if self.waveform.shape[0] != len(self.channel_ids):
            raise FigureDataError(
                f"waveform of {what} has shape {self.waveform.shape} but {len(self.channel_ids)} channel ids; "
                "it must be shaped (num_channels, num_samples) (transpose a (num_samples, num_channels) template)"
            )
        self.waveform_std_dev = None
        if waveform_std_dev is not None:
            self.waveform_std_dev = check_array(waveform_std_dev, f"waveformStdDev of {what}", ndim=2)
            check_same_shape(self.waveform, self.waveform_std_dev, f"waveformStdDev of {what}")
        self.waveform_percentiles = None
        if waveform_percentiles is not None:
            if len(waveform_percentiles) not in (2, 4):
                raise FigureDataError(
                    f"waveformPercentiles of {what} has {len(waveform_percentiles)} arrays; it must have 2 or 4"
                )
            self.waveform_percentiles = [
                check_array(p, f"waveformPercentiles[{i}] of {what}", ndim=2)
                for i, p in enumerate(waveform_percentiles)
            ]
            for i, p in enumerate(self.waveform_percentiles):
                check_same_shape(self.waveform, p, f"waveformPercentiles[{i}] of {what}")

    def to_dict(self) -> dict:
        item = {"unitId": self.unit_id, "channelIds": self.channel_ids, "waveform": self.waveform}
        if self.waveform_std_dev is not None:
            item["waveformStdDev"] = self.waveform_std_dev
        if self.waveform_percentiles is not None:
            item["waveformPercentiles"] = self.waveform_percentiles
        return item


def check_same_shape(reference: np.ndarray, other: np.ndarray, name: str) -> None:
    if other.shape != reference.shape:
        raise FigureDataError(f"{name} has shape {other.shape}, the waveform has {reference.shape}; they must match")


class AverageWaveforms(View):
    """Average waveforms of units, optionally drawn at their channels' positions.

    ``sorting_uri`` and ``recording_uri`` (this project's extension) let a page with a runner show
    the waveform of merged units.
    """

    type = "AverageWaveforms"

    def __init__(
        self,
        average_waveforms: list[AverageWaveformItem],
        channel_ids: list | None = None,
        channel_locations: np.ndarray | None = None,
        show_reference_probe: bool | None = None,
        sorting_uri: str | None = None,
        recording_uri: str | None = None,
    ):
        self.sorting_uri = sorting_uri
        self.recording_uri = recording_uri
        self.average_waveforms = list(average_waveforms)
        self.channel_locations = None
        if channel_locations is not None:
            if channel_ids is None:
                raise FigureDataError("channel_locations needs channel_ids to name them")
            self.channel_locations = channel_locations_dict(channel_ids, channel_locations)
        self.show_reference_probe = show_reference_probe

    def data(self) -> dict:
        fields = {"averageWaveforms": [item.to_dict() for item in self.average_waveforms]}
        if self.channel_locations is not None:
            fields["channelLocations"] = self.channel_locations
        if self.show_reference_probe is not None:
            fields["showReferenceProbe"] = bool(self.show_reference_probe)
        return with_optional(fields, sortingUri=self.sorting_uri, recordingUri=self.recording_uri)


class UnitLocationsItem:
    """The estimated (x, y) position of a unit."""

    def __init__(self, unit_id: int | str, x: float, y: float):
        self.unit_id = check_unit_id(unit_id, "unit_id")
        self.x = check_number(x, f"x of unit {unit_id}")
        self.y = check_number(y, f"y of unit {unit_id}")

    def to_dict(self) -> dict:
        return {"unitId": self.unit_id, "x": self.x, "y": self.y}


class UnitLocations(View):
    """Unit positions over the probe's electrodes."""

    type = "UnitLocations"

    def __init__(
        self,
        units: list[UnitLocationsItem],
        channel_ids: list,
        channel_locations: np.ndarray,
        disable_auto_rotate: bool = False,
    ):
        self.units = list(units)
        self.channel_locations = channel_locations_dict(channel_ids, channel_locations)
        self.disable_auto_rotate = bool(disable_auto_rotate)

    def data(self) -> dict:
        return {
            "units": [item.to_dict() for item in self.units],
            "channelLocations": self.channel_locations,
            "disableAutoRotate": self.disable_auto_rotate,
        }


class ElectrodeGeometry(View):
    """The probe's electrode positions."""

    type = "ElectrodeGeometry"

    def __init__(self, channel_ids: list, channel_locations: np.ndarray):
        self.channel_locations = channel_locations_dict(channel_ids, channel_locations)

    def data(self) -> dict:
        return {"channelLocations": self.channel_locations}


class Summary(View):
    """A text summary of the recording and the sorting (SortingSummary)."""

    type = "Summary"

    def __init__(
        self,
        recording_description: str,
        sorting_description: str,
        unit_ids: list,
        channel_ids: list,
        sampling_frequency: float,
        num_frames: int,
        num_segments: int,
        channel_locations: np.ndarray,
        noise_level: float,
    ):
        self.recording_description = str(recording_description)
        self.sorting_description = str(sorting_description)
        self.unit_ids = [check_unit_id(u, "unit id") for u in unit_ids]
        self.channel_ids = [check_unit_id(ch, "channel id") for ch in channel_ids]
        self.sampling_frequency = check_number(sampling_frequency, "samplingFrequency")
        self.num_frames = int(num_frames)
        self.num_segments = int(num_segments)
        self.channel_locations = channel_locations_dict(channel_ids, channel_locations)
        self.noise_level = check_number(noise_level, "noiseLevel")

    def data(self) -> dict:
        return {
            "recordingDescription": self.recording_description,
            "sortingDescription": self.sorting_description,
            "unitIds": self.unit_ids,
            "channelIds": self.channel_ids,
            "samplingFrequency": self.sampling_frequency,
            "numFrames": self.num_frames,
            "numSegments": self.num_segments,
            "channelLocations": self.channel_locations,
            "noiseLevel": self.noise_level,
        }
