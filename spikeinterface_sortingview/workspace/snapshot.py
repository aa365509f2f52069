"""A workspace's state: one JSON snapshot of its recordings and sortings, and the checks an edit must pass.

Snapshots are plain dicts (``docs/store.md``, "Workspaces"); an edit is a function from the current
snapshot to the next, raising ``WorkspaceError`` (and changing nothing) when it does not apply. ``figures``
came later than the other fields: a snapshot without it has no figures (read with :func:`figures_of`).
"""

from __future__ import annotations

import copy
import math
import secrets
import time

import numpy as np
from spikeinterface.core import BaseRecording, BaseSorting

WORKSPACE_FORMAT = "spikeinterface-sortingview/workspace"
WORKSPACE_FORMAT_VERSION = 1
# SpikeInterface's own tolerance when it checks that a sorting and a recording share a sampling frequency.
SAMPLING_FREQUENCY_RELATIVE_TOLERANCE = 1e-6


class WorkspaceError(ValueError):
    """An edit or a read that cannot be done; the message names what and why, and the workspace is unchanged."""


class UnknownIdError(WorkspaceError, LookupError):
    """A recording or sorting id that the workspace does not hold."""


def new_id(prefix: str) -> str:
    """A fresh entry id, ``R-<12 hex>`` or ``S-<12 hex>`` (random: writers in other processes never collide)."""
    return f"{prefix}-{secrets.token_hex(6)}"


def empty_snapshot(workspace_id: str, label: str) -> dict:
    return {
        "format": WORKSPACE_FORMAT,
        "version": WORKSPACE_FORMAT_VERSION,
        "id": workspace_id,
        "label": label,
        "recordings": {},
        "sortings": {},
        "figures": {},
        "previous": None,
        "change": {"action": "create", "time": time.time()},
    }


def check_snapshot(snapshot: object, uri: str) -> dict:
    """Refuse what is not a workspace snapshot this version reads."""
    if not isinstance(snapshot, dict) or snapshot.get("format") != WORKSPACE_FORMAT:
        raise WorkspaceError(f"{uri} is not a workspace snapshot (format {WORKSPACE_FORMAT})")
    if snapshot.get("version") != WORKSPACE_FORMAT_VERSION:
        raise WorkspaceError(
            f"{uri} is a workspace snapshot of version {snapshot.get('version')}; this version of "
            f"spikeinterface-sortingview reads version {WORKSPACE_FORMAT_VERSION}. Upgrade the package."
        )
    return snapshot


def next_snapshot(snapshot: dict, previous_uri: str, action: str, **details) -> dict:
    """A copy of ``snapshot`` to edit, linked to the one it replaces and saying what changed."""
    following = copy.deepcopy(snapshot)
    following["previous"] = previous_uri
    following["change"] = {"action": action, "time": time.time(), **details}
    return following


def recording_entry(label: str, uri: str, recording: BaseRecording, storage: str) -> dict:
    """What a snapshot records of a recording: its URI and the facts a listing shows without opening it."""
    num_samples = [int(recording.get_num_samples(s)) for s in range(recording.get_num_segments())]
    return {
        "label": label,
        "uri": uri,
        "sampling_frequency": float(recording.get_sampling_frequency()),
        "num_channels": int(recording.get_num_channels()),
        "num_samples": num_samples,
        "duration_sec": sum(num_samples) / float(recording.get_sampling_frequency()),
        "dtype": np.dtype(recording.get_dtype()).str,
        "size_bytes": sum(num_samples) * int(recording.get_num_channels()) * np.dtype(recording.get_dtype()).itemsize,
        "storage": storage,
        "added": time.time(),
    }


def sorting_entry(label: str, uri: str, recording_id: str, sorting: BaseSorting, storage: str) -> dict:
    """What a snapshot records of a sorting: its URI, its recording and its size."""
    spikes = sorting.to_spike_vector()
    last_frames = [
        int(spikes["sample_index"][spikes["segment_index"] == s].max(initial=-1))
        for s in range(sorting.get_num_segments())
    ]
    return {
        "label": label,
        "uri": uri,
        "recording_id": recording_id,
        "sampling_frequency": float(sorting.get_sampling_frequency()),
        "num_units": len(sorting.get_unit_ids()),
        "num_spikes": int(spikes.size),
        "last_frames": last_frames,
        "storage": storage,
        "added": time.time(),
    }


def check_sorting_fits(sorting_label: str, sorting: dict, recording_id: str, recording: dict) -> None:
    """Refuse a sorting whose sampling frequency, segments or spike frames do not fit the recording's."""
    what = f"Cannot add the sorting {sorting_label!r} to the recording {recording_id} ({recording['label']!r})"
    if not math.isclose(
        sorting["sampling_frequency"], recording["sampling_frequency"], rel_tol=SAMPLING_FREQUENCY_RELATIVE_TOLERANCE
    ):
        raise WorkspaceError(
            f"{what}: the sorting's sampling frequency is {sorting['sampling_frequency']} Hz, the recording's "
            f"{recording['sampling_frequency']} Hz. Was it sorted from another recording? Nothing was added."
        )
    if len(sorting["last_frames"]) != len(recording["num_samples"]):
        raise WorkspaceError(
            f"{what}: the sorting has {len(sorting['last_frames'])} segments, the recording "
            f"{len(recording['num_samples'])}. Nothing was added."
        )
    for segment, (last, count) in enumerate(zip(sorting["last_frames"], recording["num_samples"], strict=True)):
        if last >= count:
            raise WorkspaceError(
                f"{what}: in segment {segment} the sorting has a spike at frame {last}, but the recording has "
                f"{count} frames. Was it sorted from another recording? Nothing was added."
            )


def check_registered_recording(label: str, sorting: BaseSorting, recording: dict, recording_id: str) -> None:
    """Refuse a sorting that carries its own recording (``register_recording``) of another length or rate."""
    if not sorting.has_recording():
        return
    own = sorting._recording
    own_samples = [int(own.get_num_samples(s)) for s in range(own.get_num_segments())]
    if own_samples != recording["num_samples"] or not math.isclose(
        own.get_sampling_frequency(), recording["sampling_frequency"], rel_tol=SAMPLING_FREQUENCY_RELATIVE_TOLERANCE
    ):
        raise WorkspaceError(
            f"Cannot add the sorting {label!r} to the recording {recording_id} ({recording['label']!r}): the sorting "
            f"was registered with a recording of {own_samples} frames at {own.get_sampling_frequency()} Hz, this one "
            f"has {recording['num_samples']} frames at {recording['sampling_frequency']} Hz. Nothing was added."
        )


def entry(snapshot: dict, kind: str, entry_id: str) -> dict:
    """The entry ``entry_id`` of ``snapshot[kind]`` ("recordings" or "sortings"), or ``UnknownIdError`` listing the known ones."""
    entries = snapshot[kind]
    if entry_id not in entries:
        known = ", ".join(f"{i} ({e['label']!r})" for i, e in entries.items()) or "none"
        raise UnknownIdError(f"The workspace has no {kind[:-1]} {entry_id!r}; its {kind}: {known}")
    return entries[entry_id]


def entry_with_uri(entries: dict, uri: str, recording_id: str | None = None) -> str | None:
    """The id of the first entry (in the order added) of ``uri`` (and of ``recording_id``, for sortings), or None."""
    for entry_id in ids_by_time(entries):
        found = entries[entry_id]
        if found["uri"] == uri and (recording_id is None or found["recording_id"] == recording_id):
            return entry_id
    return None


def ids_by_time(entries: dict) -> list[str]:
    """Entry ids in the order they were added (a snapshot's JSON keeps them sorted by id)."""
    return sorted(entries, key=lambda i: (entries[i]["added"], i))


def sortings_of(snapshot: dict, recording_id: str) -> list[str]:
    """The ids of the sortings of a recording, in the order they were added."""
    sortings = snapshot["sortings"]
    return [sid for sid in ids_by_time(sortings) if sortings[sid]["recording_id"] == recording_id]


def figure_entry(label: str, uri: str, url: str, recording_id: str, sorting_id: str) -> dict:
    """What a snapshot records of a figure made from a recording and a sorting: its document URI and figURL."""
    return {
        "label": label,
        "uri": uri,
        "url": url,
        "recording_id": recording_id,
        "sorting_id": sorting_id,
        "added": time.time(),
    }


def figures_of(snapshot: dict, sorting_id: str) -> list[str]:
    """The ids of the figures made from a sorting, in the order they were made (none in older snapshots)."""
    figures = snapshot.get("figures", {})
    return [fid for fid in ids_by_time(figures) if figures[fid]["sorting_id"] == sorting_id]
