"""The binary file of a SpikeAmplitudes chunk: spike frames as uint16 deltas, amplitudes as int16 steps.

A chunk holds every spike of a stretch of a SpikeAmplitudes view with levels of detail, grouped by unit
(``amplitude_levels.py``). Written as JSON with base64 float32 arrays it took 5.9 bytes a spike stored and
most of an hour-long figure's publish (zlib and base64 of tens of millions of floats); this form takes about
4 bytes a spike with no compression at all, and its times are exact frames. The layout is described in
``docs/figure-format.md`` ("Binary chunk files").
"""

from __future__ import annotations

import json
import struct

import numpy as np

from .encoding import FigureDataError, check_number

CHUNK_MAGIC = b"SVAMPCH1"
# int16 codes of the amplitudes that are no multiple of the step (|code| of a finite amplitude is at most 2048)
CODE_NAN = -32768
CODE_POSITIVE_INFINITY = 32767
CODE_NEGATIVE_INFINITY = -32767
# A frame delta of this value or more is written as this value, followed by the delta in the overflow section.
DELTA_ESCAPE = 0xFFFF
# Every section starts at a multiple of 8 bytes, so a reader can view it as a typed array without a copy.
ALIGNMENT = 8


def amplitude_codes(amplitudes: np.ndarray, step: float) -> np.ndarray:
    """int16 multiples of ``step`` (rounded half to even) of float amplitudes; NaN and infinities as their codes.

    ``step`` is the view's power-of-two step (``amplitude_levels.amplitude_step``): every finite amplitude is
    then within 2048 steps of zero. A step of 0 means no finite amplitude differs from 0.
    """
    values = np.asarray(amplitudes, dtype="float32")
    with np.errstate(invalid="ignore"):
        codes = np.rint(values / np.float32(step)) if step else np.zeros(len(values), dtype="float32")
    finite = np.isfinite(values)
    if finite.all():
        return codes.astype(np.int16)
    codes[~finite] = 0
    codes = codes.astype(np.int16)
    codes[np.isnan(values)] = CODE_NAN
    codes[values == np.inf] = CODE_POSITIVE_INFINITY
    codes[values == -np.inf] = CODE_NEGATIVE_INFINITY
    return codes


def amplitude_values(codes: np.ndarray, step: float) -> np.ndarray:
    """The float32 amplitudes that ``amplitude_codes`` coded (exact: the step is a power of two)."""
    values = codes.astype("float32") * np.float32(step)
    values[codes == CODE_NAN] = np.nan
    values[codes == CODE_POSITIVE_INFINITY] = np.inf
    values[codes == CODE_NEGATIVE_INFINITY] = -np.inf
    return values


def encode_deltas(deltas: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Non-negative frame deltas as uint16, those of ``DELTA_ESCAPE`` or more as that escape plus their value in
    a float64 overflow section (exact below 2**53; at a few Hz, deltas are a fraction of 65,535 frames)."""
    large = deltas >= DELTA_ESCAPE
    return np.minimum(deltas, DELTA_ESCAPE).astype("<u2"), deltas[large].astype("<f8")


def decode_deltas(short: np.ndarray, overflow: np.ndarray) -> np.ndarray:
    """The int64 deltas that ``encode_deltas`` wrote."""
    deltas = short.astype(np.int64)
    escaped = deltas == DELTA_ESCAPE
    if escaped.sum() != len(overflow):
        raise FigureDataError(f"a chunk has {escaped.sum()} escaped frame deltas but {len(overflow)} overflow values")
    deltas[escaped] = overflow.astype(np.int64)
    return deltas


def chunk_file_bytes(
    start_time_sec: float,
    end_time_sec: float,
    sampling_frequency: float,
    unit_positions: np.ndarray,
    unit_counts: np.ndarray,
    spike_frames: np.ndarray,
    codes: np.ndarray,
    amplitude_step: float,
) -> bytes:
    """The chunk file of spikes grouped by unit.

    Parameters
    ----------
    start_time_sec, end_time_sec : float
        The span the chunk covers.
    sampling_frequency : float
        Frames per second: a spike's time is its frame divided by it.
    unit_positions : np.ndarray
        Ascending positions, in the view's ``units``, of the units with spikes in the chunk.
    unit_counts : np.ndarray
        How many spikes each of those units has here (in the same order).
    spike_frames : np.ndarray
        Integer frames, unit by unit in the order of ``unit_positions``, ascending within each unit.
    codes : np.ndarray
        int16 amplitude codes (``amplitude_codes``), in the order of ``spike_frames``.
    amplitude_step : float
        The step the codes count.

    Returns
    -------
    bytes
        Magic, header length, JSON header, then the sections: unit positions and counts (uint32), amplitude
        codes (int16), frame deltas (uint16; each unit's first spike counts from the chunk's first frame) and the
        overflow deltas (float64), each section from a multiple of 8 bytes.
    """
    frames = np.asarray(spike_frames, dtype=np.int64)
    num_spikes = len(frames)
    first_frame = int(frames.min()) if num_spikes else 0
    deltas = np.empty(num_spikes, dtype=np.int64)
    if num_spikes:
        deltas[0] = frames[0] - first_frame
        np.subtract(frames[1:], frames[:-1], out=deltas[1:])
        unit_starts = np.cumsum(unit_counts)[:-1]
        deltas[unit_starts] = frames[unit_starts] - first_frame
    if num_spikes and deltas.min() < 0:
        raise FigureDataError("a chunk's spike frames must ascend within each unit")
    short, overflow = encode_deltas(deltas)
    sections = [
        np.asarray(unit_positions, dtype="<u4"),
        np.asarray(unit_counts, dtype="<u4"),
        np.asarray(codes, dtype="<i2"),
        short,
        overflow,
    ]
    header = {
        "type": "SpikeAmplitudesChunk",
        "startTimeSec": check_number(start_time_sec, "startTimeSec"),
        "endTimeSec": check_number(end_time_sec, "endTimeSec"),
        "samplingFrequency": check_number(sampling_frequency, "samplingFrequency"),
        "firstFrame": first_frame,
        "amplitudeStep": float(amplitude_step),
        "numUnits": len(sections[0]),
        "numSpikes": num_spikes,
        "numOverflowDeltas": len(overflow),
    }
    text = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
    text += b" " * (-(len(CHUNK_MAGIC) + 4 + len(text)) % ALIGNMENT)
    parts = [CHUNK_MAGIC, struct.pack("<I", len(text)), text]
    for section in sections:
        parts.append(section.tobytes())
        parts.append(b"\0" * (-section.nbytes % ALIGNMENT))
    return b"".join(parts)


def read_chunk_file(data: bytes) -> dict:
    """Read a chunk file: its header fields, and per spike ``spikeFrames`` (int64), ``spikeTimesSec`` (float32),
    ``spikeAmplitudes`` (float32) and ``unitIndices`` (positions in the view's units), grouped by unit."""
    if data[: len(CHUNK_MAGIC)] != CHUNK_MAGIC:
        raise FigureDataError("not a SpikeAmplitudes chunk file (it does not start with SVAMPCH1)")
    (header_length,) = struct.unpack_from("<I", data, len(CHUNK_MAGIC))
    at = len(CHUNK_MAGIC) + 4
    header = json.loads(data[at : at + header_length])
    at += header_length
    num_units, num_spikes = header["numUnits"], header["numSpikes"]
    sections = []
    for dtype, count in (
        ("<u4", num_units),
        ("<u4", num_units),
        ("<i2", num_spikes),
        ("<u2", num_spikes),
        ("<f8", header["numOverflowDeltas"]),
    ):
        section = np.frombuffer(data, dtype=dtype, count=count, offset=at)
        sections.append(section)
        at += section.nbytes + (-section.nbytes % ALIGNMENT)
    positions, counts, codes, short, overflow = sections
    deltas = decode_deltas(short, overflow)
    unit_indices = np.repeat(positions, counts)
    # each unit's frames: its running sum of deltas from the chunk's first frame
    running = np.cumsum(deltas)
    unit_ends = np.cumsum(counts).astype(np.int64)
    before = np.r_[0, running[unit_ends[:-1] - 1]] if num_units else np.zeros(0, dtype=np.int64)
    frames = running - np.repeat(before, counts) + header["firstFrame"]
    fs = header["samplingFrequency"]
    return {
        **header,
        "spikeFrames": frames,
        "spikeTimesSec": np.divide(frames, fs, out=np.empty(num_spikes, dtype=np.float32), casting="same_kind"),
        "spikeAmplitudes": amplitude_values(codes, header["amplitudeStep"]),
        "unitIndices": unit_indices,
    }
