"""Reading traces for handlers: windows in float32 (scaled to µV when the recording can be), snippets, samples."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from spikeinterface.core import BaseRecording

from .spikes import SpikeSelection

# Spikes closer than this many samples are read in one call: the per-call overhead of a
# recording segment (an mmap for binary files) outweighs reading a few extra samples.
MERGE_GAP_SAMPLES = 256
# ...but one read never spans more than this many samples, to bound memory.
MAX_SPAN_SAMPLES = 30_000


def data_units(recording: BaseRecording) -> str:
    """``"uV"`` when traces can be scaled to microvolts, else ``"raw"``."""
    return "uV" if recording.has_scaleable_traces() else "raw"


class TraceReader:
    """Reads float32 traces of some channels of a recording, scaled to µV when it has gains.

    Parameters
    ----------
    recording : BaseRecording
        The recording.
    channel_indices : sequence of int | None
        The channels to read, in this order; ``None`` for all (the fastest read).
    apply_offsets : bool
        Add the channel offsets when scaling. Filtered traces have no DC, so their
        offsets are left out.
    """

    def __init__(
        self, recording: BaseRecording, channel_indices: Sequence[int] | None = None, apply_offsets: bool = True
    ) -> None:
        self.recording = recording
        all_channels = channel_indices is None or list(channel_indices) == list(range(recording.get_num_channels()))
        self.channel_indices = None if all_channels else np.asarray(channel_indices, dtype=np.int64)
        self.num_channels = recording.get_num_channels() if self.channel_indices is None else len(self.channel_indices)
        self.gains: np.ndarray | None = None
        self.offsets: np.ndarray | None = None
        if recording.has_scaleable_traces():
            gains = recording.get_channel_gains().astype(np.float32)
            offsets = recording.get_channel_offsets().astype(np.float32)
            if self.channel_indices is not None:
                gains, offsets = gains[self.channel_indices], offsets[self.channel_indices]
            # Unit gains and zero offsets are common (float recordings); skip the arithmetic then.
            if not np.all(gains == 1):
                self.gains = gains
            if apply_offsets and not np.all(offsets == 0):
                self.offsets = offsets

    def raw(self, segment_index: int, start_frame: int, end_frame: int) -> np.ndarray:
        """Unscaled traces (frames x channels), possibly a read-only view of a memory map."""
        segment = self.recording.segments[segment_index]
        return segment.get_traces(start_frame, end_frame, self.channel_indices)

    def scale(self, raw: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Raw values to float32 (µV when scaleable), written into ``out`` when given."""
        if out is None:
            out = np.empty(raw.shape, dtype=np.float32)
        if self.gains is not None:
            np.multiply(raw, self.gains, out=out, casting="unsafe")
        else:
            out[...] = raw
        if self.offsets is not None:
            out += self.offsets
        return out

    def window(self, segment_index: int, start_frame: int, end_frame: int) -> np.ndarray:
        """Float32 traces (frames x channels) of a window."""
        return self.scale(self.raw(segment_index, start_frame, end_frame))

    def snippets(self, selection: SpikeSelection, nbefore: int, nafter: int) -> tuple[np.ndarray, np.ndarray]:
        """Float32 snippets (spikes x samples x channels) around the selected spikes.

        Returns
        -------
        snippets : np.ndarray
            Snippets of the spikes whose window lies inside the segment.
        kept : np.ndarray
            Boolean mask over the selection: False for spikes too close to a segment edge.
        """
        num_samples = nbefore + nafter
        kept = np.zeros(len(selection), dtype=bool)
        for segment_index in np.unique(selection.segment_index):
            part = selection.in_segment(int(segment_index))
            frames = selection.sample_index[part]
            total = self.recording.get_num_samples(int(segment_index))
            kept[part] = (frames >= nbefore) & (frames + nafter <= total)
        out = np.empty((int(kept.sum()), num_samples, self.num_channels), dtype=np.float32)
        offsets = np.arange(-nbefore, nafter)
        position = 0
        for segment_index in np.unique(selection.segment_index):
            part = selection.in_segment(int(segment_index))
            frames = selection.sample_index[part][kept[part]]
            for lo, hi in spans(frames, MERGE_GAP_SAMPLES + num_samples, MAX_SPAN_SAMPLES):
                start = int(frames[lo]) - nbefore
                raw = self.raw(int(segment_index), start, int(frames[hi - 1]) + nafter)
                windows = raw[(frames[lo:hi] - start)[:, None] + offsets]
                self.scale(windows, out=out[position : position + hi - lo])
                position += hi - lo
        return out, kept

    def samples(self, segment_index: int, frames: np.ndarray) -> np.ndarray:
        """Float32 values (frames x channels) at sorted frames of one segment."""
        out = np.empty((len(frames), self.num_channels), dtype=np.float32)
        for lo, hi in spans(frames, MERGE_GAP_SAMPLES, MAX_SPAN_SAMPLES):
            start = int(frames[lo])
            raw = self.raw(segment_index, start, int(frames[hi - 1]) + 1)
            self.scale(raw[frames[lo:hi] - start], out=out[lo:hi])
        return out


def spans(frames: np.ndarray, max_gap: int, max_span: int) -> list[tuple[int, int]]:
    """Index ranges ``[lo, hi)`` of sorted frames that are read together.

    A new range starts where the gap to the previous frame exceeds ``max_gap`` or the range
    would cover more than ``max_span`` samples.
    """
    if len(frames) == 0:
        return []
    breaks = np.flatnonzero(np.diff(frames) > max_gap) + 1
    ranges = []
    for lo, hi in zip(np.concatenate([[0], breaks]), np.concatenate([breaks, [len(frames)]]), strict=True):
        lo, hi = int(lo), int(hi)
        # Split long dense runs so one read stays bounded.
        while frames[hi - 1] - frames[lo] > max_span:
            cut = lo + int(np.searchsorted(frames[lo:hi], frames[lo] + max_span, side="right"))
            ranges.append((lo, cut))
            lo = cut
        ranges.append((lo, hi))
    return ranges


def peak_channel_position(template: np.ndarray, peak_sign: str) -> int:
    """The channel (column of a samples x channels template) with the largest peak of the given sign."""
    if peak_sign == "neg":
        return int(np.argmin(template.min(axis=0)))
    if peak_sign == "pos":
        return int(np.argmax(template.max(axis=0)))
    return int(np.argmax(np.abs(template).max(axis=0)))


def peak_value(template: np.ndarray, channel: int, peak_sign: str) -> float:
    """The template's extremum of the given sign on one channel."""
    trace = template[:, channel]
    if peak_sign == "neg":
        return float(trace.min())
    if peak_sign == "pos":
        return float(trace.max())
    return float(trace[np.argmax(np.abs(trace))])
