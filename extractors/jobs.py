"""SpikeInterface job kwargs for sharing: validated, with defaults suited to hashing and writing files."""

from __future__ import annotations

import os

from spikeinterface.core import BaseRecording
from spikeinterface.core.globals import _default_job_kwargs, get_global_job_kwargs
from spikeinterface.core.job_tools import fix_job_kwargs, job_keys

# Below this many bytes, sharing is quick enough that a progress bar is noise.
PROGRESS_MIN_BYTES = 256 * 1024 * 1024


def resolve_job_kwargs(recording: BaseRecording | None, job_kwargs: dict) -> dict:
    """The job kwargs to share with: the caller's, then SpikeInterface's global ones, then ours.

    Unless chosen by the caller (or changed globally with ``set_global_job_kwargs``), sharing
    uses one thread per core (hashing and file writes release the GIL, and nothing has to be
    pickled) and shows a progress bar only for big recordings.
    """
    unknown = sorted(set(job_kwargs) - set(job_keys))
    if unknown:
        raise TypeError(f"Unknown job kwargs {unknown}; SpikeInterface's job kwargs are {list(job_keys)}")
    resolved = fix_job_kwargs(dict(job_kwargs))
    # What the user chose: passed here, or set globally to something other than SpikeInterface's default.
    global_kwargs = get_global_job_kwargs()
    chosen = set(job_kwargs) | {k for k, v in global_kwargs.items() if _default_job_kwargs.get(k, v) != v}
    if "pool_engine" not in chosen:
        resolved["pool_engine"] = "thread"
        if "n_jobs" not in chosen:
            # Hashing one chunk while another is written keeps the disk and the cores busy together.
            resolved["n_jobs"] = os.cpu_count() or 1
    if "progress_bar" not in chosen:
        resolved["progress_bar"] = None  # decided by size, see progress_wanted
    if (
        recording is not None
        and resolved["pool_engine"] == "process"
        and resolved["n_jobs"] > 1
        and not recording.check_serializability("pickle")
    ):
        raise ValueError(
            f"{type(recording).__name__} cannot be pickled, so worker processes cannot read it "
            "(pool_engine='process'). Share it with pool_engine='thread' (the default for sharing) or n_jobs=1, "
            "or save it first: recording = recording.save(folder=..., format='binary')."
        )
    return resolved


def progress_wanted(job_kwargs: dict, total_bytes: int) -> bool:
    """Show progress if asked, or, when nobody said, if the work is big."""
    if job_kwargs.get("progress_bar") is None:
        return total_bytes >= PROGRESS_MIN_BYTES
    return bool(job_kwargs["progress_bar"])
