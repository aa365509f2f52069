"""Which files this process has checked against their hash since they last changed.

A store file is hashed whole the first time this process serves any byte of it; what was
checked is recorded with the file's size, modification time, status-change time and inode.
Any write to the file (or a ``touch``, or a replacement) changes one of those, so the next
read hashes it again. Reading a range of a recorded file then costs one ``stat``.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

# One record is ~200 bytes; past this many the oldest half is forgotten (and re-hashed when read again).
MAX_RECORDS = 200_000

StatKey = tuple[int, int, int, int]

_lock = threading.Lock()
_records: dict[str, StatKey] = {}


def stat_key(st: os.stat_result) -> StatKey:
    """What changes whenever a file's bytes may have changed: size, mtime, ctime and inode."""
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def remember_verified(path: Path, st: os.stat_result | None = None) -> None:
    """Record that ``path``, in the state ``st`` (default: as it is now), holds the bytes its hash names."""
    key = stat_key(st if st is not None else os.stat(path))
    with _lock:
        if len(_records) >= MAX_RECORDS:
            for name in list(_records)[: MAX_RECORDS // 2]:
                del _records[name]
        _records[str(path)] = key


def is_verified(path: Path, st: os.stat_result) -> bool:
    """True if ``path`` was checked by this process and has not changed since."""
    return _records.get(str(path)) == stat_key(st)


def forget_verified(path: Path) -> None:
    """Drop the record of ``path`` (it was moved away or found corrupt)."""
    with _lock:
        _records.pop(str(path), None)


def forget_all_verified() -> None:
    """Forget every record: the next read of each file hashes it again."""
    with _lock:
        _records.clear()
