"""Views of decoded position: a linear decoding over time and a 2-D track animation (sortingview's formats).

Decoded probabilities are written sparsely, as position-decoding pipelines write them for sortingview: each
probability scaled to 0..255 and truncated to an integer, zeros left out, and per time frame the count of
entries kept (``frameBounds``). ``from_probabilities`` builds that from a dense array.
"""

from __future__ import annotations

import numpy as np

from .base import View
from .encoding import FigureDataError, check_array, check_number, check_same_length, with_optional
from .timeseries import TIME_DTYPES, offset_times

INTEGER_DTYPES = ("uint8", "uint16", "int16", "int32", "uint32")
# The scale of a decoded probability in ``values``: 255 is a probability of 1.
PROBABILITY_SCALE = 255


def smallest_unsigned(values: np.ndarray) -> np.ndarray:
    """``values`` (non-negative integers) in the smallest of uint8, uint16, uint32 that holds them."""
    top = int(values.max()) if values.size else 0
    for dtype in ("uint8", "uint16", "uint32"):
        if top <= np.iinfo(dtype).max:
            return values.astype(dtype)
    raise FigureDataError(f"a count or index of {top} is too large for uint32")


def sparse_probabilities(probabilities: np.ndarray, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Scale a (num_frames, ...) probability array to 0..255, drop zeros; return values, flat bin indices, counts."""
    probabilities = np.asarray(probabilities)
    if probabilities.dtype.kind != "f" or probabilities.ndim < 2:
        raise FigureDataError(
            f"{name} must be a float array shaped (num_frames, num_bins...), got {probabilities.dtype}"
        )
    flat = probabilities.reshape(len(probabilities), -1)
    # NaN (bins off the track) counts as zero; probabilities above 1 are clipped to the top of the scale.
    scaled = np.nan_to_num(flat, nan=0.0).clip(0.0, 1.0)
    scaled = (scaled * PROBABILITY_SCALE).astype("uint8")
    kept = scaled > 0
    _, bin_index = np.nonzero(kept)  # row-major: frame after frame, as frameBounds reads them
    return scaled[kept], smallest_unsigned(bin_index), smallest_unsigned(kept.sum(axis=1))


def check_frame_bounds(frame_bounds: np.ndarray, num_values: int) -> np.ndarray:
    frame_bounds = check_array(frame_bounds, "frame_bounds", ndim=1, dtypes=INTEGER_DTYPES)
    total = int(frame_bounds.sum(dtype="int64"))
    if total != num_values:
        raise FigureDataError(
            f"frame_bounds add up to {total} entries but there are {num_values} values; "
            "frame_bounds[t] must be the number of values of frame t"
        )
    return frame_bounds


def check_values(values: np.ndarray) -> np.ndarray:
    values = check_array(values, "values", ndim=1, dtypes=INTEGER_DTYPES)
    if values.size and (int(values.min()) < 0 or int(values.max()) > PROBABILITY_SCALE):
        raise FigureDataError("values are probabilities scaled to 0..255; found values outside that range")
    return values


class DecodedLinearPositionData(View):
    """Decoded probability of a linear (1-D) position over time, drawn as a heat map along a time axis.

    Parameters
    ----------
    values : np.ndarray
        Decoded probabilities scaled to 0..255 (integers, typically uint8), the non-zero ones only,
        frame after frame.
    positions : np.ndarray
        For each entry of ``values``, the index of its position bin in ``positions_key`` (integers).
    frame_bounds : np.ndarray
        For each time frame, how many entries of ``values`` belong to it (integers); they add up to
        ``len(values)``.
    positions_key : np.ndarray
        The position of each bin (float32, e.g. the bin centres in cm along the linearized track).
    observed_positions : np.ndarray | None
        The animal's linear position at each frame (float32, one per frame, NaN where unknown), drawn
        over the heat map.
    start_time_sec : float
        Time of the first frame, in seconds.
    sampling_frequency : float | None
        Frames per second; frame ``t`` is at ``start_time_sec + t / sampling_frequency``. When None the
        field is left out and viewers assume 1000 Hz.
    """

    type = "DecodedLinearPositionData"

    def __init__(
        self,
        values: np.ndarray,
        positions: np.ndarray,
        frame_bounds: np.ndarray,
        positions_key: np.ndarray,
        observed_positions: np.ndarray | None = None,
        start_time_sec: float = 0.0,
        sampling_frequency: float | None = None,
    ):
        self.values = check_values(values)
        self.positions = check_array(positions, "positions", ndim=1, dtypes=INTEGER_DTYPES)
        check_same_length("values", self.values, "positions", self.positions)
        self.frame_bounds = check_frame_bounds(frame_bounds, len(self.values))
        self.positions_key = check_array(positions_key, "positions_key", ndim=1, dtypes=("float32",))
        if self.positions.size and int(self.positions.max()) >= len(self.positions_key):
            raise FigureDataError(
                f"positions holds bin index {int(self.positions.max())} but positions_key has only "
                f"{len(self.positions_key)} bins"
            )
        self.observed_positions = None
        if observed_positions is not None:
            self.observed_positions = check_array(observed_positions, "observed_positions", ndim=1, dtypes=("float32",))
            check_same_length("observed_positions", self.observed_positions, "frame_bounds", self.frame_bounds)
        self.start_time_sec = check_number(start_time_sec, "start_time_sec")
        self.sampling_frequency = None
        if sampling_frequency is not None:
            self.sampling_frequency = check_number(sampling_frequency, "sampling_frequency")
            if not self.sampling_frequency > 0:
                raise FigureDataError(f"sampling_frequency must be positive, got {sampling_frequency}")

    @classmethod
    def from_probabilities(
        cls,
        probabilities: np.ndarray,
        positions_key: np.ndarray,
        sampling_frequency: float,
        start_time_sec: float = 0.0,
        observed_positions: np.ndarray | None = None,
    ) -> DecodedLinearPositionData:
        """Build the view from a dense posterior shaped (num_frames, num_position_bins), values in 0..1.

        Probabilities are scaled to 0..255 and truncated (below 1/255 they are left out), as
        position-decoding pipelines write them.
        """
        positions_key = np.asarray(positions_key, dtype="float32")
        probabilities = np.asarray(probabilities)
        if probabilities.ndim != 2 or probabilities.shape[1] != len(positions_key):
            raise FigureDataError(
                f"probabilities must be shaped (num_frames, {len(positions_key)} position bins), "
                f"got {probabilities.shape}"
            )
        values, positions, frame_bounds = sparse_probabilities(probabilities, "probabilities")
        if observed_positions is not None:
            observed_positions = np.asarray(observed_positions, dtype="float32")
        return cls(
            values,
            positions,
            frame_bounds,
            positions_key,
            observed_positions=observed_positions,
            start_time_sec=start_time_sec,
            sampling_frequency=sampling_frequency,
        )

    def data(self) -> dict:
        fields = {
            "values": self.values,
            "positions": self.positions,
            "frameBounds": self.frame_bounds,
            "positionsKey": self.positions_key,
            "startTimeSec": self.start_time_sec,
        }
        return with_optional(
            fields, observedPositions=self.observed_positions, samplingFrequencyHz=self.sampling_frequency
        )


class DecodedPositionData:
    """Decoded probability of a 2-D position per frame, on a grid of ``x_count`` x ``y_count`` bins.

    Bin ``(i, j)`` (column ``i``, row ``j``) is centred at ``(x_min + i * bin_width, y_min + j * bin_height)``
    and is written as the single index ``location = i + x_count * j``.

    Parameters
    ----------
    x_min, y_min : float
        Centre of the first bin column and row, in the track's units.
    bin_width, bin_height : float
        Size of a bin.
    x_count, y_count : int
        Number of bin columns and rows of the grid.
    values : np.ndarray
        Probabilities scaled to 0..255 (integers), the non-zero ones only, frame after frame.
    locations : np.ndarray
        The bin index (``i + x_count * j``) of each value (integers).
    frame_bounds : np.ndarray
        For each frame, how many values belong to it (integers, adding up to ``len(values)``).
    unique_locations : np.ndarray | None
        The distinct entries of ``locations``; written only when given (it saves a reader one pass).
    """

    def __init__(
        self,
        x_min: float,
        bin_width: float,
        x_count: int,
        y_min: float,
        bin_height: float,
        y_count: int,
        values: np.ndarray,
        locations: np.ndarray,
        frame_bounds: np.ndarray,
        unique_locations: np.ndarray | None = None,
    ):
        self.x_min = check_number(x_min, "x_min")
        self.y_min = check_number(y_min, "y_min")
        self.bin_width = check_number(bin_width, "bin_width")
        self.bin_height = check_number(bin_height, "bin_height")
        if not (self.bin_width > 0 and self.bin_height > 0):
            raise FigureDataError(f"bin_width and bin_height must be positive, got {bin_width}, {bin_height}")
        self.x_count = int(x_count)
        self.y_count = int(y_count)
        self.values = check_values(values)
        self.locations = check_array(locations, "locations", ndim=1, dtypes=INTEGER_DTYPES)
        check_same_length("values", self.values, "locations", self.locations)
        if self.locations.size and int(self.locations.max()) >= self.x_count * self.y_count:
            raise FigureDataError(
                f"locations holds bin {int(self.locations.max())} but the grid has only "
                f"{self.x_count} x {self.y_count} bins"
            )
        self.frame_bounds = check_frame_bounds(frame_bounds, len(self.values))
        self.unique_locations = None
        if unique_locations is not None:
            self.unique_locations = check_array(unique_locations, "unique_locations", ndim=1, dtypes=INTEGER_DTYPES)

    @classmethod
    def from_probabilities(
        cls, probabilities: np.ndarray, x_min: float, bin_width: float, y_min: float, bin_height: float
    ) -> DecodedPositionData:
        """Build it from a dense posterior shaped (num_frames, y_count, x_count), values in 0..1 (NaN off track)."""
        probabilities = np.asarray(probabilities)
        if probabilities.ndim != 3:
            raise FigureDataError(
                f"probabilities must be shaped (num_frames, y_count, x_count), got {probabilities.shape}"
            )
        _, y_count, x_count = probabilities.shape
        values, locations, frame_bounds = sparse_probabilities(probabilities, "probabilities")
        return cls(
            x_min,
            bin_width,
            x_count,
            y_min,
            bin_height,
            y_count,
            values,
            locations,
            frame_bounds,
            unique_locations=np.unique(locations),
        )

    def to_dict(self) -> dict:
        fields = {
            "type": "DecodedPositionData",
            "xmin": self.x_min,
            "binWidth": self.bin_width,
            "xcount": self.x_count,
            "ymin": self.y_min,
            "binHeight": self.bin_height,
            "ycount": self.y_count,
            "values": self.values,
            "locations": self.locations,
            "frameBounds": self.frame_bounds,
        }
        return with_optional(fields, uniqueLocations=self.unique_locations)


class TrackAnimation(View):
    """The animal's position on a 2-D track frame by frame, with its head direction and decoded position.

    Parameters
    ----------
    track_bin_width, track_bin_height : float
        Size of one track bin (one tile of the track, not the whole track), in the track's units.
    track_bin_ul_corners : np.ndarray
        Shaped (2, num_bins): the x and the y of each bin's upper-left corner (float32); with y pointing up, a
        bin covers ``[x, x + width]`` by ``[y - height, y]``.
    timestamps : np.ndarray
        Time of each frame in seconds: float64 absolute times (written as float32 after subtracting
        ``timestamp_start``, by default the first of them), or float32 times already relative to
        ``timestamp_start`` (absolute when it is None).
    positions : np.ndarray
        Shaped (2, num_frames): the animal's x and y at each frame (float32, NaN where unknown).
    x_min, x_max, y_min, y_max : float | None
        The area to show; by default the extent of the track bins.
    head_direction : np.ndarray | None
        Head direction at each frame, radians in the x-y plane (float32).
    decoded_data : DecodedPositionData | None
        The decoded position probability of each frame (as many frames as ``timestamps``).
    sampling_frequency_hz : float | None
        Frames per second of the recording (the real-time replay rate).
    timestamp_start : float | None
        Time the written ``timestamps`` are relative to.
    total_recording_frame_length : int | None
        Number of frames; by default ``len(timestamps)``.
    """

    type = "TrackAnimation"

    def __init__(
        self,
        track_bin_width: float,
        track_bin_height: float,
        track_bin_ul_corners: np.ndarray,
        timestamps: np.ndarray,
        positions: np.ndarray,
        x_min: float | None = None,
        x_max: float | None = None,
        y_min: float | None = None,
        y_max: float | None = None,
        head_direction: np.ndarray | None = None,
        decoded_data: DecodedPositionData | None = None,
        sampling_frequency_hz: float | None = None,
        timestamp_start: float | None = None,
        total_recording_frame_length: int | None = None,
    ):
        self.track_bin_width = check_number(track_bin_width, "track_bin_width")
        self.track_bin_height = check_number(track_bin_height, "track_bin_height")
        if not (self.track_bin_width > 0 and self.track_bin_height > 0):
            raise FigureDataError("track_bin_width and track_bin_height must be positive")
        self.corners = check_array(track_bin_ul_corners, "track_bin_ul_corners", ndim=2, dtypes=("float32",))
        if self.corners.shape[0] != 2:
            raise FigureDataError(
                f"track_bin_ul_corners must be shaped (2, num_bins) (x row, y row), got {self.corners.shape}; "
                "transpose it if it is (num_bins, 2)"
            )
        timestamps = check_array(timestamps, "timestamps", ndim=1, dtypes=TIME_DTYPES)
        self.timestamp_start = None if timestamp_start is None else check_number(timestamp_start, "timestamp_start")
        if timestamps.dtype == np.float64:
            # Absolute times: float32 keeps them to the millisecond only relative to a nearby start.
            if self.timestamp_start is None and len(timestamps):
                self.timestamp_start = float(timestamps[0])
            timestamps = offset_times(timestamps, self.timestamp_start or 0.0)
        self.timestamps = timestamps
        self.positions = check_array(positions, "positions", ndim=2, dtypes=("float32",))
        if self.positions.shape != (2, len(self.timestamps)):
            raise FigureDataError(
                f"positions must be shaped (2, num_frames={len(self.timestamps)}) (x row, y row), "
                f"got {self.positions.shape}"
            )
        self.head_direction = None
        if head_direction is not None:
            self.head_direction = check_array(head_direction, "head_direction", ndim=1, dtypes=("float32",))
            check_same_length("head_direction", self.head_direction, "timestamps", self.timestamps)
        if decoded_data is not None and len(decoded_data.frame_bounds) != len(self.timestamps):
            raise FigureDataError(
                f"decoded_data has {len(decoded_data.frame_bounds)} frames but there are "
                f"{len(self.timestamps)} timestamps; they must match"
            )
        self.decoded_data = decoded_data
        self.sampling_frequency_hz = None
        if sampling_frequency_hz is not None:
            self.sampling_frequency_hz = check_number(sampling_frequency_hz, "sampling_frequency_hz")
        self.total_recording_frame_length = (
            len(self.timestamps) if total_recording_frame_length is None else int(total_recording_frame_length)
        )
        xs, ys = self.corners
        bounds = {
            "x_min": (x_min, float(xs.min()) if xs.size else 0.0),
            "x_max": (x_max, float(xs.max()) + self.track_bin_width if xs.size else 1.0),
            "y_min": (y_min, float(ys.min()) - self.track_bin_height if ys.size else 0.0),
            "y_max": (y_max, float(ys.max()) if ys.size else 1.0),
        }
        self.extent = {
            name: check_number(given if given is not None else default, name)
            for name, (given, default) in bounds.items()
        }
        if not (self.extent["x_min"] < self.extent["x_max"] and self.extent["y_min"] < self.extent["y_max"]):
            raise FigureDataError(f"the area to show is empty: {self.extent}")

    def data(self) -> dict:
        fields = {
            "trackBinWidth": self.track_bin_width,
            "trackBinHeight": self.track_bin_height,
            "trackBinULCorners": self.corners,
            "totalRecordingFrameLength": self.total_recording_frame_length,
            "timestamps": self.timestamps,
            "positions": self.positions,
            "xmin": self.extent["x_min"],
            "xmax": self.extent["x_max"],
            "ymin": self.extent["y_min"],
            "ymax": self.extent["y_max"],
        }
        return with_optional(
            fields,
            timestampStart=self.timestamp_start,
            headDirection=self.head_direction,
            decodedData=None if self.decoded_data is None else self.decoded_data.to_dict(),
            samplingFrequencyHz=self.sampling_frequency_hz,
        )
