"""A window of traces for the traces view: raw values and their gains, min/max-decimated to the pixel width, optionally filtered."""

from __future__ import annotations

import math

import numba
import numpy as np
from spikeinterface.core import BaseRecording
from spikeinterface.preprocessing import bandpass_filter
from spikeinterface.preprocessing.filter import HIGHPASS_ERROR_THRESHOLD_HZ

from spikeinterface_sortingview.views.encoding import ALLOWED_DTYPES

from ..handler_io.data import DataSource
from ..handler_io.errors import HandlerInputError
from ..handler_io.inputs import TaskInput, plain_id, resolve_ids
from ..handler_io.result import HandlerResult
from ..handler_io.trace_reading import TraceReader, data_units

# Values read per request (samples x channels): ~10 s of a 384-channel probe at 30 kHz.
MAX_READ_VALUES = 128 * 1024 * 1024
# Values returned per request: a bit more than 1 s x 384 channels.
MAX_OUTPUT_VALUES = 16 * 1024 * 1024
# Dtypes the payload keeps as they are stored (the browser has a typed array for each); others become float32.
PAYLOAD_DTYPES = ALLOWED_DTYPES
# A decimated window is read in chunks of about this many values, so memory stays bounded.
CHUNK_VALUES = 4 * 1024 * 1024
MAX_POINTS = 100_000
# SpikeInterface's bandpass filter refuses a lower cutoff below this (its "auto" margin, 3 periods of freq_min,
# would read seconds of data around every window).
MIN_FREQ_MIN = float(HIGHPASS_ERROR_THRESHOLD_HZ)


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
        start_sec, end_sec = task.number("start_sec"), task.number("end_sec")
        # Checked in seconds first: a huge number of seconds times the rate is no frame number (inf).
        if not 0 <= start_sec < end_sec <= num_samples / fs + 1 / fs:
            raise HandlerInputError(
                f"the window [{start_sec}, {end_sec}) s is not inside segment {segment_index}, which lasts "
                f"{num_samples / fs:.3f} s; ask for 0 <= start_sec < end_sec <= {num_samples / fs:.6f}"
            )
        start, end = int(round(start_sec * fs)), int(round(end_sec * fs))
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
    freq_min = band.number("freq_min")
    if freq_min < MIN_FREQ_MIN:
        raise HandlerInputError(
            f"bandpass freq_min must be at least {MIN_FREQ_MIN:g} Hz (SpikeInterface's bandpass filter refuses lower "
            f"cutoffs), got {freq_min}"
        )
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
    """Raw min and max of each channel over bins of ``factor`` samples, interleaved (min, max, min, max, ...).

    Spikes survive decimation: every bin keeps its extremes, so a one-sample peak still shows.
    The values stay raw (a negative gain makes the scaled minimum the raw maximum).
    """
    num_bins = math.ceil((end - start) / factor)
    out = None
    chunk = max(1, CHUNK_VALUES // max(1, reader.num_channels) // factor) * factor
    for chunk_start in range(start, end, chunk):
        raw = np.asarray(reader.raw(segment_index, chunk_start, min(end, chunk_start + chunk)))
        if out is None:
            out = np.empty((2 * num_bins, raw.shape[1]), dtype=raw.dtype)
        chunk_bins = math.ceil(len(raw) / factor)
        # Contiguous scratch rows, then interleaved: the kernel is ~25x slower writing to strided rows.
        mins = np.empty((chunk_bins, raw.shape[1]), dtype=raw.dtype)
        maxs = np.empty_like(mins)
        _bin_min_max(raw, factor, mins, maxs)
        first_bin = (chunk_start - start) // factor
        out[2 * first_bin : 2 * (first_bin + chunk_bins) : 2] = mins
        out[2 * first_bin + 1 : 2 * (first_bin + chunk_bins) : 2] = maxs
    return out


def payload_array(traces: np.ndarray) -> np.ndarray:
    """Traces as the payload sends them: C-contiguous, in their own dtype when the browser reads it, else float32."""
    dtype = traces.dtype if traces.dtype.name in PAYLOAD_DTYPES else np.dtype(np.float32)
    return np.ascontiguousarray(traces, dtype=dtype.newbyteorder("<"))


def traces_in_units(header: dict, payload: bytes | memoryview | np.ndarray) -> np.ndarray:
    """The float32 traces of a ``traces_window.1`` reply, in its ``dataUnits``: ``raw * gains + offsets``.

    Parameters
    ----------
    header : dict
        The reply's JSON result (``numSamples``, ``numChannels``, ``dtype``, ``gains``, ``offsets``).
    payload : bytes-like
        The reply's binary payload.

    Returns
    -------
    np.ndarray
        ``numSamples x numChannels`` float32. For a min/max window, a negative gain swaps each
        row pair back so that even rows stay the minima.
    """
    raw = np.frombuffer(payload, dtype=np.dtype(header["dtype"]).newbyteorder("<"))
    traces = raw.reshape(header["numSamples"], header["numChannels"]).astype(np.float32)
    if header.get("gains") is not None:
        traces *= np.asarray(header["gains"], dtype=np.float32)
    if header.get("offsets") is not None:
        traces += np.asarray(header["offsets"], dtype=np.float32)
    if header["minMax"]:
        low, high = traces[0::2].copy(), traces[1::2].copy()
        traces[0::2], traces[1::2] = np.minimum(low, high), np.maximum(low, high)
    return traces


def traces_window(task_input: dict, data: DataSource) -> HandlerResult:
    """``sortingview.traces_window.1``: a window of traces as a binary payload (samples x channels, C order).

    Input: ``recording_uri``, ``segment_index`` (0), ``start_frame``/``end_frame`` or
    ``start_sec``/``end_sec`` (relative to the segment start), ``channel_ids`` (default all, in the
    order given), ``max_points`` (pixel width: longer windows are min/max-decimated),
    ``bandpass`` ``{freq_min, freq_max}`` in Hz (``freq_min`` at least 100 Hz: SpikeInterface's bandpass filter
    refuses lower cutoffs).
    Output header: ``numChannels, numSamples, startFrame, endFrame, segmentIndex,
    samplingFrequency, decimation, channelIds, minMax, dtype, gains, offsets, dataUnits``
    (``"uV"`` or ``"raw"``).

    The payload holds the raw values in ``dtype`` (the recording's own, e.g. int16, or float32 for a
    filtered window or a dtype the browser cannot read); a value in ``dataUnits`` is
    ``raw * gains[channel] + offsets[channel]`` (``gains``/``offsets`` are null when they are 1/0).
    int16 traces cross Ray and HTTP at half the size of float32, and are exact.
    With ``minMax``, rows ``2k`` and ``2k + 1`` are the raw minimum and maximum of frames
    ``startFrame + k * decimation ...`` up to the next bin. ``traces_in_units`` decodes a reply.
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
    # Filtered traces have no DC, so the channels' offsets are left out.
    reader = TraceReader(source, channel_indices, apply_offsets=not task.has("bandpass"))
    if factor > 1:
        traces = min_max_decimate(reader, segment_index, start, end, factor)
    else:
        traces = reader.raw(segment_index, start, end)
    payload = payload_array(traces)
    header = {
        "numChannels": num_channels,
        "numSamples": int(payload.shape[0]),
        "startFrame": start,
        "endFrame": end,
        "segmentIndex": segment_index,
        "samplingFrequency": float(recording.sampling_frequency),
        "decimation": factor,
        "channelIds": [plain_id(c) for c in channel_ids],
        "minMax": factor > 1,
        "dtype": payload.dtype.name,
        "gains": None if reader.gains is None else [float(g) for g in reader.gains],
        "offsets": None if reader.offsets is None else [float(o) for o in reader.offsets],
        "dataUnits": data_units(recording),
    }
    # The payload stays an array: Ray and the HTTP response take its bytes without a copy.
    return HandlerResult(header, payload=payload)
