"""Views of individual spikes over time: RasterPlot, SpikeAmplitudes and SpikeLocations."""

from __future__ import annotations

import numpy as np

from .base import View
from .encoding import (
    channel_locations_dict,
    check_array,
    check_number,
    check_same_length,
    check_unit_id,
)


def check_times(spike_times_sec: np.ndarray, unit_id: int | str) -> np.ndarray:
    return check_array(spike_times_sec, f"spikeTimesSec of unit {unit_id}", ndim=1, dtypes=("float32",))


class RasterPlotItem:
    """The spike times (seconds, float32) of one unit."""

    def __init__(self, unit_id: int | str, spike_times_sec: np.ndarray):
        self.unit_id = check_unit_id(unit_id, "unit_id")
        self.spike_times_sec = check_times(spike_times_sec, unit_id)

    def to_dict(self) -> dict:
        return {"unitId": self.unit_id, "spikeTimesSec": self.spike_times_sec}


class RasterPlot(View):
    """Spike rasters of units over a time range."""

    type = "RasterPlot"

    def __init__(self, start_time_sec: float, end_time_sec: float, plots: list[RasterPlotItem]):
        self.start_time_sec = check_number(start_time_sec, "startTimeSec")
        self.end_time_sec = check_number(end_time_sec, "endTimeSec")
        self.plots = list(plots)

    def data(self) -> dict:
        return {
            "startTimeSec": self.start_time_sec,
            "endTimeSec": self.end_time_sec,
            "plots": [item.to_dict() for item in self.plots],
        }


class SpikeAmplitudesItem:
    """Spike times and amplitudes of one unit (equal lengths).

    ``spike_indices`` (this project's extension, for curation): each drawn spike's position in the
    unit's whole time-ordered train, so a page can draw the parts of a split unit in their colours.
    """

    def __init__(
        self,
        unit_id: int | str,
        spike_times_sec: np.ndarray,
        spike_amplitudes: np.ndarray,
        spike_indices: np.ndarray | None = None,
    ):
        self.unit_id = check_unit_id(unit_id, "unit_id")
        self.spike_times_sec = check_times(spike_times_sec, unit_id)
        self.spike_amplitudes = check_array(spike_amplitudes, f"spikeAmplitudes of unit {unit_id}", ndim=1)
        check_same_length("spikeTimesSec", self.spike_times_sec, "spikeAmplitudes", self.spike_amplitudes)
        self.spike_indices = None
        if spike_indices is not None:
            self.spike_indices = np.asarray(spike_indices, dtype=np.int32)
            check_same_length("spikeTimesSec", self.spike_times_sec, "spikeIndices", self.spike_indices)

    def to_dict(self) -> dict:
        out = {
            "unitId": self.unit_id,
            "spikeTimesSec": self.spike_times_sec,
            "spikeAmplitudes": self.spike_amplitudes,
        }
        if self.spike_indices is not None:
            out["spikeIndices"] = self.spike_indices
        return out


class SpikeAmplitudes(View):
    """Spike amplitudes over time.

    With ``chunks`` (see ``amplitude_levels.spike_amplitudes_with_levels``), ``units`` hold an overview
    and the chunks, stored as files beside the view, hold every spike.
    """

    type = "SpikeAmplitudes"

    def __init__(
        self,
        start_time_sec: float,
        end_time_sec: float,
        units: list[SpikeAmplitudesItem],
        hide_unit_selector: bool = False,
        chunks: list | None = None,
    ):
        self.start_time_sec = check_number(start_time_sec, "startTimeSec")
        self.end_time_sec = check_number(end_time_sec, "endTimeSec")
        self.units = list(units)
        self.hide_unit_selector = bool(hide_unit_selector)
        self.chunks = None if chunks is None else list(chunks)

    def data(self) -> dict:
        fields = {
            "startTimeSec": self.start_time_sec,
            "endTimeSec": self.end_time_sec,
            "units": [item.to_dict() for item in self.units],
            "hideUnitSelector": self.hide_unit_selector,
        }
        if self.chunks is not None:
            fields["chunks"] = [chunk.entry() for chunk in self.chunks]
        return fields

    def files(self) -> list[bytes]:
        return [chunk.file_bytes() for chunk in self.chunks or []]


class SpikeLocationsItem:
    """Spike times and estimated (x, y) positions of one unit's spikes."""

    def __init__(
        self,
        unit_id: int | str,
        spike_times_sec: np.ndarray,
        x_locations: np.ndarray,
        y_locations: np.ndarray,
    ):
        self.unit_id = check_unit_id(unit_id, "unit_id")
        self.spike_times_sec = check_times(spike_times_sec, unit_id)
        self.x_locations = check_array(x_locations, f"xLocations of unit {unit_id}", ndim=1)
        self.y_locations = check_array(y_locations, f"yLocations of unit {unit_id}", ndim=1)
        check_same_length("spikeTimesSec", self.spike_times_sec, "xLocations", self.x_locations)
        check_same_length("spikeTimesSec", self.spike_times_sec, "yLocations", self.y_locations)

    def to_dict(self) -> dict:
        return {
            "unitId": self.unit_id,
            "spikeTimesSec": self.spike_times_sec,
            "xLocations": self.x_locations,
            "yLocations": self.y_locations,
        }


class SpikeLocations(View):
    """Spike positions on the probe."""

    type = "SpikeLocations"

    def __init__(
        self,
        units: list[SpikeLocationsItem],
        x_range: tuple[float, float],
        y_range: tuple[float, float],
        channel_ids: list,
        channel_locations: np.ndarray,
        hide_unit_selector: bool = False,
        disable_auto_rotate: bool = False,
    ):
        self.units = list(units)
        self.x_range = [check_number(v, "xRange") for v in x_range]
        self.y_range = [check_number(v, "yRange") for v in y_range]
        self.channel_locations = channel_locations_dict(channel_ids, channel_locations)
        self.hide_unit_selector = bool(hide_unit_selector)
        self.disable_auto_rotate = bool(disable_auto_rotate)

    def data(self) -> dict:
        return {
            "units": [item.to_dict() for item in self.units],
            "xRange": self.x_range,
            "yRange": self.y_range,
            "hideUnitSelector": self.hide_unit_selector,
            "channelLocations": self.channel_locations,
            "disableAutoRotate": self.disable_auto_rotate,
        }
