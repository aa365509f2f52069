"""A content-addressed store in a local folder, in the kachery layout (``sha1/aa/bb/cc/<hash>``).

Besides files copied in, the folder can hold references to files registered in place
(``references/aa/bb/cc/<hash>.json``): the store then serves the bytes from where the
file already is, as long as it is in the state (size, times, inode) it had when hashed.

No byte leaves the store unchecked: a full read is hashed; a file opened for ranges is hashed
whole first, once per process until it changes (``verified.py``). A store file that fails its
hash is moved to ``quarantine/`` and reported, never served.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO

from .references import FileReference, hash_file
from .uri import parse_uri, relative_path, sha1_hex, sha1_uri
from .verified import forget_verified, is_verified, remember_verified, stat_key

REFERENCES_FOLDER = "references"
QUARANTINE_FOLDER = "quarantine"
# A file that changes while it is hashed is hashed again this many times before it is refused.
VERIFY_ATTEMPTS = 3

logger = logging.getLogger(__name__)


class StoreError(Exception):
    """Base class of store errors."""


class FileNotInStoreError(StoreError, FileNotFoundError):
    """The store holds no file for a URI."""


class CorruptFileError(StoreError):
    """A stored file's bytes do not match the hash in its name."""


class ReferenceChangedError(FileNotInStoreError):
    """A file registered in place was modified, resized or removed since it was hashed."""


class LocalStore:
    """Files named by the SHA-1 of their bytes, in a folder that kachery-cloud can read.

    Parameters
    ----------
    directory : str | Path
        The store folder; created on first write.

    Notes
    -----
    Writes are atomic: bytes go to a temporary file in the target folder, are
    flushed to disk, then renamed to their hash name, so a crash never leaves a
    partial file under a hash name.
    """

    def __init__(self, directory: str | Path):
        self.directory = Path(directory).expanduser()

    def __repr__(self) -> str:
        return f"LocalStore({str(self.directory)!r})"

    def path(self, uri: str) -> Path:
        """Where the file of ``uri`` lives (or would live) in this store."""
        sha1, _ = parse_uri(uri)
        return self.directory / relative_path(sha1)

    def has(self, uri: str) -> bool:
        """True if the store holds the file of ``uri`` (its bytes are checked when it is read)."""
        return self._locate(uri) is not None

    def file_path(self, uri: str) -> Path | None:
        """The file on disk that holds the bytes of ``uri``, checked against the hash; None if the store has none.

        This is the file in the store folder, hashed whole unless this process has already checked it
        since it last changed, or else the original file of a reference registered in place, as long as
        that file is still in the state it was hashed in (a changed file is not returned: its bytes are
        no longer those of ``uri``).

        Raises
        ------
        CorruptFileError
            The store's file does not match its hash; it was moved to ``quarantine/``.
        """
        located = self._locate(uri)
        if located is None:
            return None
        path, st = located
        if st is not None:
            self._verify(path, parse_uri(uri)[0], st)
        return path

    def _locate(self, uri: str) -> tuple[Path, os.stat_result | None] | None:
        """Where the bytes of ``uri`` are, unchecked: ``(store file, its stat)`` or ``(registered file, None)``."""
        path = self.path(uri)
        try:
            return path, os.stat(path)
        except (FileNotFoundError, NotADirectoryError):
            pass
        reference = self.reference(uri)
        if reference is not None and reference.changed_on_disk() is None:
            return Path(reference.path), None
        return None

    def _verify(self, path: Path, sha1: str, st: os.stat_result) -> None:
        """Hash a store file whole unless this process checked it since it last changed; quarantine it if it fails."""
        for _ in range(VERIFY_ATTEMPTS):
            if is_verified(path, st):
                return
            try:
                digest, _ = hash_file(path)
                after = os.stat(path)
            except FileNotFoundError:
                raise FileNotInStoreError(f"sha1://{sha1} was removed from the store at {self.directory}") from None
            if digest != sha1:
                raise self._quarantine(path, sha1, digest)
            if stat_key(after) == stat_key(st):
                remember_verified(path, after)
                return
            st = after  # written to while hashed (e.g. stored again): hash the new state
        raise StoreError(f"{path} keeps changing while it is checked against its hash; stop what writes to it")

    def _quarantine(self, path: Path, sha1: str, digest: str) -> CorruptFileError:
        """Move a file that failed its hash out of the store's ``sha1/`` folder; the error to raise."""
        forget_verified(path)
        target = self.directory / QUARANTINE_FOLDER / f"{sha1}.{time.time_ns()}"
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(path, target)
            where = f"it was moved to {target}"
        except FileNotFoundError:
            where = "it is already gone"
        message = (
            f"sha1://{sha1} in the store at {self.directory} does not match its hash (its bytes hash to {digest}): {where} and "
            "is not served. Store the data again (share or save it again, or fetch it from another runner)."
        )
        logger.error(message)
        return CorruptFileError(message)

    def quarantined(self) -> list[Path]:
        """Files that failed their hash and were moved out of the store, oldest first."""
        folder = self.directory / QUARANTINE_FOLDER
        return sorted(folder.iterdir(), key=lambda p: p.stat().st_mtime_ns) if folder.is_dir() else []

    def reference(self, uri: str) -> FileReference | None:
        """The reference recorded for ``uri`` by ``register_file``, or None."""
        sha1, _ = parse_uri(uri)
        try:
            return FileReference.from_json(self._reference_file(sha1).read_bytes())
        except FileNotFoundError:
            return None

    def register_file(
        self,
        path: str | Path,
        label: str | None = None,
        n_jobs: int = 1,
        progress: Callable[[int], None] | None = None,
    ) -> str:
        """Hash a file and record where it is, without copying it; return its ``sha1://`` URI.

        The URI is the one ``store_bytes`` would give for the same bytes. The store then
        serves the file from its place (``file_path``, ``has``, ``load_bytes``) until the file
        is modified, resized or removed. Registering a file again that has not changed since
        (same path, size and modification time) hashes nothing and writes nothing.

        Parameters
        ----------
        path : str | Path
            The file to register.
        label : str | None
            Label added to the URI (it does not change the hash).
        n_jobs : int
            Threads allowed to hash (see ``hash_file``).
        progress : callable | None
            Called with the number of bytes hashed so far since the last call.
        """
        reference = self._register(path, None, n_jobs, progress)
        return sha1_uri(reference.sha1, label)

    def register_file_in_blocks(
        self,
        path: str | Path,
        start: int,
        end: int,
        block_size: int,
        n_jobs: int = 1,
        progress: Callable[[int], None] | None = None,
    ) -> tuple[str, list[str]]:
        """Register a file in place as ``register_file`` does, and also hash blocks of a byte range of it.

        Blocks are ``[start, start + block_size)``, ... up to ``end`` (the last may be shorter).
        They let a reader that fetches one block from elsewhere check it against its own
        hash, without the whole file. Both hashes come from one read of the file.

        Returns
        -------
        uri : str
            The whole file's ``sha1://`` URI.
        block_uris : list[str]
            One ``sha1://`` URI per block (the blocks themselves are not stored).
        """
        reference = self._register(path, (start, end, block_size), n_jobs, progress)
        assert reference.blocks is not None
        return sha1_uri(reference.sha1), [sha1_uri(h) for h in reference.blocks.sha1]

    def _register(
        self,
        path: str | Path,
        blocks: tuple[int, int, int] | None,
        n_jobs: int,
        progress: Callable[[int], None] | None,
    ) -> FileReference:
        path = Path(path).expanduser().resolve()
        if not path.is_file():
            raise FileNotFoundError(f"Cannot register {path}: it is not a file")
        before = os.stat(path)
        index_file = self._path_index_file(path)
        reference = _read_reference(index_file)
        unchanged = reference is not None and reference.changed_on_disk() is None
        if not (unchanged and (blocks is None or (reference.blocks and reference.blocks.layout() == blocks))):
            sha1, block_hashes = hash_file(path, blocks, n_jobs=n_jobs, progress=progress)
            after = os.stat(path)
            if stat_key(after) != stat_key(before):
                raise StoreError(f"{path} changed while it was being hashed; register it when nothing writes to it")
            reference = FileReference.of(sha1, str(path), before, block_hashes)
            _write_if_changed(index_file, reference.to_json())
        elif progress is not None:
            progress(before.st_size)
        # The reference served for the hash (without block hashes, which depend on who asked).
        if not self.path(sha1_uri(reference.sha1)).is_file():
            plain = replace(reference, blocks=None)
            _write_if_changed(self._reference_file(reference.sha1), plain.to_json())
        return reference

    def _reference_file(self, sha1: str) -> Path:
        return self.directory / REFERENCES_FOLDER / (relative_path(sha1).removeprefix("sha1/") + ".json")

    def _path_index_file(self, path: Path) -> Path:
        return self.directory / REFERENCES_FOLDER / "by-path" / (sha1_hex(str(path).encode()) + ".json")

    def store_bytes(self, data: bytes | memoryview, label: str | None = None, sync: bool = True) -> str:
        """Store ``data`` and return its ``sha1://`` URI. Storing the same bytes again writes nothing.

        ``data`` may be any C-contiguous buffer (bytes, memoryview, numpy array). With
        ``sync=False`` the file is renamed into place without waiting for the disk; call
        ``sync`` on the URIs before publishing anything that refers to them. A stored file of
        another size (corrupt) is replaced.
        """
        sha1 = sha1_hex(data)
        target = self.directory / relative_path(sha1)
        try:
            present = os.stat(target).st_size == memoryview(data).nbytes
        except FileNotFoundError:
            present = False
        if not present:
            write_atomic(target, data, sync=sync)
            remember_verified(target)
        return sha1_uri(sha1, label)

    def sync(self, uris: list[str]) -> None:
        """Wait until the files of ``uris`` (written with ``sync=False``) are on disk."""
        for uri in uris:
            path = self.path(uri)
            if path.is_file():
                fd = os.open(path, os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)

    def store_json(self, obj: object, label: str | None = None) -> str:
        """Store a plain JSON object written deterministically (sorted keys, compact, no NaN)."""
        data = json.dumps(obj, sort_keys=True, separators=(",", ":"), allow_nan=False).encode()
        return self.store_bytes(data, label=label)

    def load_bytes(self, uri: str, start: int | None = None, end: int | None = None) -> bytes:
        """Read a stored file, or the byte range ``[start, end)`` of it, checked against its hash.

        A full read is hashed; a range comes from a file checked as ``file_path`` checks it.

        Raises
        ------
        FileNotInStoreError
            The store has no file for ``uri`` (``ReferenceChangedError`` if a file registered in place changed).
        CorruptFileError
            The stored bytes do not match the hash (the file is quarantined).
        """
        sha1, _ = parse_uri(uri)
        located = self._locate(uri)
        if located is None:
            reference = self.reference(uri)
            if reference is not None:
                raise ReferenceChangedError(
                    f"{uri} was registered in place from {reference.path}, but {reference.changed_on_disk()}; "
                    "its bytes are no longer those of the URI. Register (share) the file again to get its new URI."
                )
            raise FileNotInStoreError(f"{uri} is not in the store at {self.directory} (looked for {self.path(uri)})")
        path, st = located
        if start is not None or end is not None:
            if st is not None:
                self._verify(path, sha1, st)
            with open(path, "rb") as f:
                f.seek(start or 0)
                return f.read(None if end is None else max(0, end - (start or 0)))
        try:
            with open(path, "rb") as f:
                data = f.read()
                opened = os.fstat(f.fileno())
        except FileNotFoundError:
            raise FileNotInStoreError(f"{uri} is not in the store at {self.directory} (looked for {path})") from None
        digest = sha1_hex(data)
        if digest != sha1:
            if st is None:
                raise CorruptFileError(
                    f"{path}, registered in place as {uri}, no longer holds its bytes although its size and times "
                    "are unchanged; register (share) it again"
                )
            raise self._quarantine(path, sha1, digest)
        if st is not None:
            remember_verified(path, opened)
        return data

    def load_json(self, uri: str) -> object:
        """Read and parse a stored JSON file."""
        return json.loads(self.load_bytes(uri))

    def incoming(self, sha1: str) -> IncomingFile:
        """A file of hash ``sha1`` to receive in pieces; it takes its hash name only if its bytes match."""
        return IncomingFile(self.directory / relative_path(sha1), sha1)


class IncomingFile:
    """A file arriving in pieces (an upload), stored under its hash name only if its bytes hash to it.

    The pieces go to a temporary file beside the target while they are hashed. ``commit`` flushes it to disk
    and renames it, or deletes it and raises ``CorruptFileError`` when the hash differs; ``abort`` (also
    harmless after ``commit``) deletes what arrived. Nothing partial ever holds a hash name.

    Parameters
    ----------
    target : Path
        The store path of the hash.
    sha1 : str
        The hash the bytes must have.
    """

    def __init__(self, target: Path, sha1: str):
        self.target = target
        self.sha1 = sha1
        self.size = 0
        self._hasher = hashlib.sha1()
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, self._tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".part")
        self._file: BinaryIO | None = os.fdopen(fd, "wb")

    def write(self, data: bytes | memoryview) -> None:
        """Append a piece."""
        assert self._file is not None, "write after commit or abort"
        self._file.write(data)
        self._hasher.update(data)
        self.size += len(data)

    def commit(self) -> str:
        """Store the bytes under their hash name and return the URI; ``CorruptFileError`` if the hash differs."""
        assert self._file is not None, "commit after commit or abort"
        digest = self._hasher.hexdigest()
        if digest != self.sha1:
            self.abort()
            raise CorruptFileError(
                f"the {self.size} bytes received hash to {digest}, not to {self.sha1}; nothing was stored"
            )
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        self._file = None
        os.chmod(self._tmp_name, 0o644)
        os.replace(self._tmp_name, self.target)
        remember_verified(self.target)
        return sha1_uri(self.sha1)

    def abort(self) -> None:
        """Delete what arrived (nothing is left under the hash name)."""
        if self._file is None:
            return
        self._file.close()
        self._file = None
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._tmp_name)


@contextlib.contextmanager
def atomic_file(target: Path, sync: bool = True) -> Iterator[BinaryIO]:
    """An open binary file that becomes ``target`` only if the ``with`` block ends without an error.

    The bytes go to a temporary file beside ``target``, are flushed to disk (if ``sync``) and then renamed,
    so a crash never leaves a partial file under the target's name; on an error the temporary file goes.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            if sync:
                os.fsync(f.fileno())
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, target)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        raise


def write_atomic(target: Path, data: bytes | memoryview, sync: bool = True) -> None:
    """Write ``data`` to ``target`` through a temporary file and a rename (see ``atomic_file``)."""
    with atomic_file(target, sync=sync) as f:
        f.write(data)


def _read_reference(path: Path) -> FileReference | None:
    try:
        return FileReference.from_json(path.read_bytes())
    except FileNotFoundError:
        return None


def _write_if_changed(path: Path, data: bytes) -> None:
    """Write a small record atomically, unless it already holds exactly ``data``."""
    try:
        if path.read_bytes() == data:
            return
    except FileNotFoundError:
        pass
    write_atomic(path, data)
