"""Named pointers: the one mutable thing in a store, each naming the content-addressed snapshot that is current.

A workspace (and later a curation feed) is a chain of immutable JSON snapshots in the store; its
pointer, ``<store>/pointers/<namespace>/<name>.json``, says which snapshot is the latest. A pointer
changes only by compare-and-swap: the writer names the snapshot it started from, and the swap
is refused if someone else moved the pointer meanwhile, so the writer reads again and retries
instead of overwriting a change it never saw. The swap holds an exclusive ``flock`` on a
``.lock`` file beside the pointer, so writers in several processes serialize.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .local import FileNotInStoreError, LocalStore, StoreError, write_atomic
from .uri import parse_uri, sha1_uri

POINTERS_FOLDER = "pointers"
LOCK_SUFFIX = ".lock"
# "<namespace>/<name>": a lowercase word, then letters, digits, '.', '_' or '-' (no path tricks).
_POINTER_NAME = re.compile(r"[a-z][a-z0-9-]{0,31}/[A-Za-z0-9][A-Za-z0-9._-]{0,127}")

if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_LOCK, 1)

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


class PointerConflictError(StoreError):
    """A compare-and-swap found the pointer at another snapshot than the one the writer started from."""


class InvalidPointerNameError(StoreError, ValueError):
    """A pointer name that is not ``<namespace>/<name>`` of allowed characters."""


@dataclass(frozen=True)
class Pointer:
    """What a pointer file holds.

    Attributes
    ----------
    name : str
        ``<namespace>/<name>``, e.g. ``workspaces/3f9a0c2e5b7d4e1a``.
    uri : str
        The current snapshot (``sha1://``).
    seq : int
        How many times the pointer was set (1 when created).
    time : float
        When it was last set (Unix seconds).
    """

    name: str
    uri: str
    seq: int
    time: float

    def to_json(self) -> bytes:
        record = {"name": self.name, "uri": self.uri, "seq": self.seq, "time": self.time}
        return json.dumps(record, sort_keys=True, separators=(",", ":")).encode()

    @staticmethod
    def from_json(data: bytes) -> Pointer:
        d = json.loads(data)
        parse_uri(d["uri"])
        return Pointer(str(d["name"]), d["uri"], int(d["seq"]), float(d["time"]))


def check_pointer_name(name: str) -> str:
    """Return ``name`` if it is ``<namespace>/<name>`` of allowed characters, else raise ``InvalidPointerNameError``."""
    if not isinstance(name, str) or not _POINTER_NAME.fullmatch(name) or ".." in name:
        raise InvalidPointerNameError(
            f"{name!r} is not a pointer name: expected <namespace>/<name>, a lowercase word, a slash, then "
            "at most 128 letters, digits, '.', '_' or '-' (e.g. workspaces/3f9a0c2e5b7d4e1a)"
        )
    return name


def pointer_path(store: LocalStore, name: str) -> Path:
    """The file of pointer ``name`` in ``store``."""
    return store.directory / POINTERS_FOLDER / (check_pointer_name(name) + ".json")


def read_pointer(store: LocalStore, name: str) -> Pointer | None:
    """The pointer ``name``, or None if the store has none of that name."""
    try:
        return Pointer.from_json(pointer_path(store, name).read_bytes())
    except FileNotFoundError:
        return None


def swap_pointer(store: LocalStore, name: str, expected: str | None, uri: str) -> Pointer:
    """Set pointer ``name`` to ``uri`` if it still names ``expected`` (None: if it does not exist yet).

    Parameters
    ----------
    store : LocalStore
        The store holding the pointer.
    name : str
        ``<namespace>/<name>``.
    expected : str | None
        The snapshot the writer read and built ``uri`` from.
    uri : str
        The new snapshot; it should already be in the store.

    Returns
    -------
    Pointer
        The pointer as written.

    Raises
    ------
    PointerConflictError
        The pointer names another snapshot (or exists when ``expected`` is None): read it again and retry.
    """
    sha1, _ = parse_uri(uri)
    path = pointer_path(store, name)
    with _locked(path):
        current = read_pointer(store, name)
        current_sha1 = parse_uri(current.uri)[0] if current is not None else None
        expected_sha1 = parse_uri(expected)[0] if expected is not None else None
        if current_sha1 != expected_sha1:
            raise PointerConflictError(
                f"pointer {name} is at {current.uri if current else 'nothing'}, not at {expected or 'nothing'}: "
                "another writer changed it; read it again and retry"
            )
        pointer = Pointer(name, sha1_uri(sha1), (current.seq if current else 0) + 1, time.time())
        # flushed to disk before the lock is released: an acknowledged change survives a crash
        write_atomic(path, pointer.to_json())
        return pointer


def list_pointers(store: LocalStore, namespace: str) -> list[Pointer]:
    """Every pointer of ``namespace`` in ``store``, by name."""
    folder = store.directory / POINTERS_FOLDER / namespace
    check_pointer_name(f"{namespace}/x")
    if not folder.is_dir():
        return []
    pointers = []
    for path in sorted(folder.glob("*.json")):
        pointer = read_pointer(store, f"{namespace}/{path.stem}")
        if pointer is not None:
            pointers.append(pointer)
    return pointers


def fetch_pointer(base_url: str, name: str, timeout: float = 30.0) -> Pointer:
    """Read pointer ``name`` from a runner (``GET <base_url>/pointers/<name>``).

    Raises
    ------
    FileNotInStoreError
        The runner has no pointer of that name (HTTP 404).
    StoreError
        The runner could not be reached, answered another error, or sent something that is not a pointer.
    """
    url = f"{base_url.rstrip('/')}/pointers/{check_pointer_name(name)}"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            data = response.read()
    except urllib.error.HTTPError as e:
        if e.code == 404:
            raise FileNotInStoreError(f"{url} has no pointer {name} (HTTP 404)") from None
        raise StoreError(f"{url} answered HTTP {e.code} {e.reason}") from None
    except (urllib.error.URLError, OSError) as e:
        raise StoreError(f"Cannot reach {url}: {getattr(e, 'reason', e)}") from None
    try:
        pointer = Pointer.from_json(data)
    except (ValueError, KeyError, TypeError) as e:
        raise StoreError(f"{url} did not answer a pointer ({e})") from None
    if pointer.name != name:
        raise StoreError(f"{url} answered the pointer {pointer.name}, not {name}")
    return pointer


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(str(path) + LOCK_SUFFIX, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _lock(fd)
        try:
            yield
        finally:
            _unlock(fd)
    finally:
        os.close(fd)
