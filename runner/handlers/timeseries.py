"""A window of traces for the traces view: a float32 payload, min/max-decimated to the pixel width, optionally filtered."""

from __future__ import annotations

import math

import numba
import numpy as np
from spikeinterface.core import BaseRecording
from spikeinterface.preprocessing import bandpass_filter

from .data import DataSource
from .errors import HandlerInputError
from .inputs import TaskInput, plain_id, resolve_ids
from .result import HandlerResult
from .trace_reading import TraceReader, data_units

# Values read per request (samples x channels): ~10 s of a 384-channel probe at 30 kHz.
MAX_READ_VALUES = 128 * 1024 * 1024
# Values returned per request: 64 MB of float32, a bit more than 1 s x 384 channels.
MAX_OUTPUT_VALUES = 16 * 1024 * 1024
# A decimated window is read in chunks of about this many values, so memory stays bounded.
CHUNK_VALUES = 4 * 1024 * 1024
MAX_POINTS = 100_000
# Below this the filter's "auto" margin (3 periods of freq_min) would read seconds of data.
MIN_FREQ_MIN = 0.5


def _frames(task: TaskInput, recording: BaseRecording, segment_index: int) -> tuple[int, int]:
    """The window ``[start_frame, end_frame)`` from frames or from seconds, checked against the segment."""
    num_samples = recording.get_num_samples(segment_index)
    fs = recording.sampling_frequency
    by_frames = task.has("start_frame") or task.has("end_frame")
    by_seconds = task.has("start_sec") or task.has("end_sec")
    if by_frames == by_seconds:
        raise HandlerInputError(
            "give the window either as start_frame and end_frame or as start_sec and end_sec (exactly one pair)"
        )
    if by_frames:
        start, end = task.integer("start_frame"), task.integer("end_frame")
    else:
        start = int(round(task.number("start_sec") * fs))
        end = int(round(task.number("end_sec") * fs))
    if not 0 <= start < end <= num_samples:
        duration = num_samples / fs
        raise HandlerInputError(
            f"the window [{start}, {end}) frames is not inside segment {segment_index}, which has {num_samples} "
            f"frames ({duration:.3f} s); ask for 0 <= start < end <= {num_samples}"
        )
    return start, end


def _filtered(data: DataSource, uri: str, recording: BaseRecording, bandpass: object) -> BaseRecording:
    if not isinstance(bandpass, dict) or set(bandpass) != {"freq_min", "freq_max"}:
        raise HandlerInputError(f"bandpass must be an object {{freq_min, freq_max}} in Hz, got {bandpass!r}")
    band = TaskInput(bandpass, required=("freq_min", "freq_max"))
    nyquist = recording.sampling_frequency / 2
    freq_min = band.number("freq_min", minimum=MIN_FREQ_MIN)
    freq_max = band.number("freq_max", maximum=nyquist * 0.999)
    if freq_max <= freq_min:
        raise HandlerInputError(f"bandpass freq_max ({freq_max}) must be above freq_min ({freq_min})")
    # margin_ms="auto" reads 3 periods of freq_min on each side, so the window's edges are clean.
    return data.derived(
        ("bandpass", uri, freq_min, freq_max),
        lambda: bandpass_filter(recording, freq_min=freq_min, freq_max=freq_max, margin_ms="auto", dtype="float32"),
    )


@numba.njit(cache=True, nogil=True)
def _bin_min_max(traces, factor, mins, maxs):  # pragma: no cover - numba
    """Per-channel min and max of consecutive bins of ``factor`` rows (the last bin may be shorter).

    One pass over the raw rows in memory order; compiled once per traces dtype.
    """
    num_rows, num_channels = traces.shape
    for row in range(num_rows):
        b = row // factor
        first = row % factor == 0
        for c in range(num_channels):
            v = traces[row, c]
            if first or v < mins[b, c]:
                mins[b, c] = v
            if first or v > maxs[b, c]:
                maxs[b, c] = v


def min_max_decimate(reader: TraceReader, segment_index: int, start: int, end: int, factor: int) -> np.ndarray:
    """Min and max of each channel over bins of ``factor`` samples, interleaved (min, max, min, max, ...).

    Spikes survive decimation: every bin keeps its extremes, so a one-sample peak still shows.
    Extremes are taken on the raw values and scaled afterwards (a negative gain swaps them).
    """
    num_bins = math.ceil((end - start) / factor)
    out = np.empty((2 * num_bins, reader.num_channels), dtype=np.float32)
    chunk = max(1, CHUNK_VALUES // max(1, reader.num_channels) // factor) * factor
    for chunk_start in range(start, end, chunk):
        raw = np.asarray(reader.raw(segment_index, chunk_start, min(end, chunk_start + chunk)))
        chunk_bins = math.ceil(len(raw) / factor)
        mins = np.empty((chunk_bins, raw.shape[1]), dtype=raw.dtype)
        maxs = np.empty_like(mins)
        _bin_min_max(raw, factor, mins, maxs)
        low, high = reader.scale(mins), reader.scale(maxs)
        if reader.gains is not None and np.any(reader.gains < 0):
            low, high = np.minimum(low, high), np.maximum(low, high)
        first_bin = (chunk_start - start) // factor
        out[2 * first_bin : 2 * (first_bin + chunk_bins) : 2] = low
        out[2 * first_bin + 1 : 2 * (first_bin + chunk_bins) : 2] = high
    return out


def traces_window(task_input: dict, data: DataSource) -> HandlerResult:
    """``sortingview.traces_window.1``: traces of a window as a float32 payload (samples x channels, C order).

    Input: ``recording_uri``, ``segment_index`` (0), ``start_frame``/``end_frame`` or
    ``start_sec``/``end_sec`` (relative to the segment start), ``channel_ids`` (default all, in the
    order given), ``max_points`` (pixel width: longer windows are min/max-decimated),
    ``bandpass`` ``{freq_min, freq_max}`` in Hz.
    Output header: ``numChannels, numSamples, startFrame, endFrame, segmentIndex,
    samplingFrequency, decimation, channelIds, minMax, dataUnits`` (``"uV"`` or ``"raw"``).
    With ``minMax``, row ``2k`` is the minimum and ``2k + 1`` the maximum of frames
    ``startFrame + k * decimation ...`` up to the next bin.
    """
    task = TaskInput(
        task_input,
        required=("recording_uri",),
        optional=(
            "segment_index",
            "start_frame",
            "end_frame",
            "start_sec",
            "end_sec",
            "channel_ids",
            "max_points",
            "bandpass",
        ),
    )
    uri = task.string("recording_uri")
    recording = data.recording(uri)
    segment_index = task.integer("segment_index", 0, minimum=0, maximum=recording.get_num_segments() - 1)
    start, end = _frames(task, recording, segment_index)
    channel_indices = None
    channel_ids = recording.channel_ids
    if task.has("channel_ids"):
        channel_indices = resolve_ids(task.raw("channel_ids"), recording.channel_ids, "channel_ids", kind="channel")
        channel_ids = recording.channel_ids[channel_indices]
    num_channels = len(channel_ids)
    num_frames = end - start
    if num_frames * num_channels > MAX_READ_VALUES:
        raise HandlerInputError(
            f"the window has {num_frames} frames x {num_channels} channels = {num_frames * num_channels} values; "
            f"at most {MAX_READ_VALUES} per request: shorten the window or select fewer channel_ids"
        )
    max_points = task.integer("max_points", 0, minimum=1, maximum=MAX_POINTS) if task.has("max_points") else None
    factor = math.ceil(num_frames / max_points) if max_points else 1
    output_samples = 2 * math.ceil(num_frames / factor) if factor > 1 else num_frames
    if output_samples * num_channels > MAX_OUTPUT_VALUES:
        raise HandlerInputError(
            f"the answer would hold {output_samples} samples x {num_channels} channels; at most {MAX_OUTPUT_VALUES} "
            "values: pass max_points (the plot's pixel width), shorten the window or select fewer channel_ids"
        )

    source = recording
    if task.has("bandpass"):
        source = _filtered(data, uri, recording, task.raw("bandpass"))
    reader = TraceReader(source, channel_indices, apply_offsets=not task.has("bandpass"))
    if factor > 1:
        traces = min_max_decimate(reader, segment_index, start, end, factor)
    else:
        traces = reader.window(segment_index, start, end)
    header = {
        "numChannels": num_channels,
        "numSamples": int(traces.shape[0]),
        "startFrame": start,
        "endFrame": end,
        "segmentIndex": segment_index,
        "samplingFrequency": float(recording.sampling_frequency),
        "decimation": factor,
        "channelIds": [plain_id(c) for c in channel_ids],
        "minMax": factor > 1,
        "dataUnits": data_units(recording),
    }
    # The payload stays an array: Ray and the HTTP response take its bytes without a copy.
    return HandlerResult(header, payload=np.ascontiguousarray(traces, dtype=np.float32))
