"""Views along time: TimeseriesGraph, PositionPlot and EphysTraces (traces read on demand)."""

from __future__ import annotations

import numpy as np

from .base import View
from .encoding import FigureDataError, check_array, check_number, check_same_length

TIME_DTYPES = ("float32", "float64")


def offset_times(times: np.ndarray, time_offset: float) -> np.ndarray:
    """Times relative to ``time_offset`` as float32 (float64 absolute times lose precision in float32)."""
    return (times.astype("float64") - time_offset).astype("float32")


class TimeseriesGraph(View):
    """Line, marker and interval series over time, sharing one time axis.

    Build it, then add series: ``add_line_series``, ``add_marker_series``, ``add_interval_series``.
    """

    type = "TimeseriesGraph"

    def __init__(
        self,
        legend_opts: dict | None = None,
        y_range: tuple[float, float] | None = None,
        gridline_opts: dict | None = None,
        hide_x_gridlines: bool | None = None,
        hide_y_gridlines: bool | None = None,
    ):
        self.legend_opts = legend_opts
        self.y_range = None if y_range is None else [check_number(v, "yRange") for v in y_range]
        self.gridline_opts = gridline_opts
        if hide_x_gridlines is not None or hide_y_gridlines is not None:
            self.gridline_opts = {"hideX": bool(hide_x_gridlines), "hideY": bool(hide_y_gridlines)}
        self.datasets: list[tuple[str, dict[str, np.ndarray]]] = []
        self.series: list[dict] = []

    def add_line_series(
        self, name: str, t: np.ndarray, y: np.ndarray, color: str = "black", width: float = 1, dash: list | None = None
    ) -> TimeseriesGraph:
        attributes = {"color": color, "width": width}
        if dash is not None:
            attributes["dash"] = list(dash)
        return self._add_series("line", name, t, y, attributes)

    def add_marker_series(
        self, name: str, t: np.ndarray, y: np.ndarray, color: str = "black", radius: float = 1, shape: str = "circle"
    ) -> TimeseriesGraph:
        if shape not in ("circle", "square"):
            raise FigureDataError(f"marker shape must be 'circle' or 'square', got {shape!r}")
        return self._add_series("marker", name, t, y, {"color": color, "radius": radius, "shape": shape})

    def add_interval_series(
        self, name: str, t_start: np.ndarray, t_end: np.ndarray, color: str = "lightblue"
    ) -> TimeseriesGraph:
        t_start = check_array(t_start, f"t_start of series {name!r}", ndim=1, dtypes=TIME_DTYPES)
        t_end = check_array(t_end, f"t_end of series {name!r}", ndim=1, dtypes=TIME_DTYPES)
        check_same_length("t_start", t_start, "t_end", t_end)
        dataset = f"{name}_data"
        self.datasets.append((dataset, {"t1": t_start, "t2": t_end}))
        self.series.append(
            {
                "type": "interval",
                "dataset": dataset,
                "encoding": {"t1": "t1", "t2": "t2"},
                "attributes": {"color": color},
                "title": name,
            }
        )
        return self

    def _add_series(self, kind: str, name: str, t: np.ndarray, y: np.ndarray, attributes: dict) -> TimeseriesGraph:
        t = check_array(t, f"t of series {name!r}", ndim=1, dtypes=TIME_DTYPES)
        y = check_array(y, f"y of series {name!r}", ndim=1)
        check_same_length("t", t, "y", y)
        dataset = f"{name}_data"
        self.datasets.append((dataset, {"t": t, "y": y}))
        self.series.append(
            {
                "type": kind,
                "dataset": dataset,
                "encoding": {"t": "t", "y": "y"},
                "attributes": attributes,
                "title": name,
            }
        )
        return self

    def time_offset(self) -> float:
        starts = [float(arr.min()) for _, data in self.datasets for key, arr in data.items() if key != "y" and len(arr)]
        return min(starts) if starts else 0.0

    def data(self) -> dict:
        offset = self.time_offset()
        datasets = []
        for name, columns in self.datasets:
            encoded = {key: (offset_times(arr, offset) if key != "y" else arr) for key, arr in columns.items()}
            datasets.append({"name": name, "data": encoded})
        fields = {"datasets": datasets, "series": self.series, "timeOffset": offset}
        if self.legend_opts is not None:
            fields["legendOpts"] = self.legend_opts
        if self.y_range is not None:
            fields["yRange"] = self.y_range
        if self.gridline_opts is not None:
            fields["gridlineOpts"] = self.gridline_opts
        return fields


class PositionPlot(View):
    """Positions (e.g. of an animal) over time; ``positions`` is (num_timepoints, num_dimensions)."""

    type = "PositionPlot"

    def __init__(
        self,
        timestamps: np.ndarray,
        positions: np.ndarray,
        dimension_labels: list[str],
        discontinuous: bool = False,
    ):
        self.timestamps = check_array(timestamps, "timestamps", ndim=1, dtypes=TIME_DTYPES)
        self.positions = check_array(positions, "positions", ndim=2)
        check_same_length("timestamps", self.timestamps, "positions", self.positions)
        if self.positions.shape[1] != len(dimension_labels):
            raise FigureDataError(
                f"positions has {self.positions.shape[1]} dimensions but {len(dimension_labels)} dimension labels"
            )
        self.dimension_labels = [str(label) for label in dimension_labels]
        self.discontinuous = bool(discontinuous)

    def data(self) -> dict:
        offset = float(self.timestamps.min()) if len(self.timestamps) else 0.0
        return {
            "timeOffset": offset,
            "timestamps": offset_times(self.timestamps, offset),
            "positions": self.positions,
            "dimensionLabels": self.dimension_labels,
            "discontinuous": self.discontinuous,
        }


class EphysTraces(View):
    """Raw traces read on demand from a shared recording (and spikes from a shared sorting)."""

    type = "EphysTraces"

    def __init__(self, format: str, uri: str, sorting_uri: str | None = None):
        self.format = str(format)
        self.uri = str(uri)
        self.sorting_uri = sorting_uri

    def data(self) -> dict:
        fields = {"format": self.format, "uri": self.uri}
        if self.sorting_uri is not None:
            fields["sortingUri"] = self.sorting_uri
        return fields
