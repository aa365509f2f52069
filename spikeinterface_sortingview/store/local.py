"""A content-addressed store in a local folder, in the kachery layout (``sha1/aa/bb/cc/<hash>``)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from .uri import parse_uri, relative_path, sha1_hex, sha1_uri


class StoreError(Exception):
    """Base class of store errors."""


class FileNotInStoreError(StoreError, FileNotFoundError):
    """The store holds no file for a URI."""


class CorruptFileError(StoreError):
    """A stored file's bytes do not match the hash in its name."""


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
        """True if the store holds the file of ``uri``."""
        return self.file_path(uri) is not None

    def file_path(self, uri: str) -> Path | None:
        """The file on disk that holds the bytes of ``uri``, or None if the store has none."""
        path = self.path(uri)
        return path if path.is_file() else None

    def store_bytes(self, data: bytes, label: str | None = None) -> str:
        """Store ``data`` and return its ``sha1://`` URI. Storing the same bytes again writes nothing."""
        sha1 = sha1_hex(data)
        target = self.directory / relative_path(sha1)
        if not target.is_file():
            write_atomic(target, data)
        return sha1_uri(sha1, label)

    def store_json(self, obj: object, label: str | None = None) -> str:
        """Store a plain JSON object written deterministically (sorted keys, compact, no NaN)."""
        data = json.dumps(obj, sort_keys=True, separators=(",", ":"), allow_nan=False).encode()
        return self.store_bytes(data, label=label)

    def load_bytes(self, uri: str, start: int | None = None, end: int | None = None) -> bytes:
        """Read a stored file, or the byte range ``[start, end)`` of it.

        A full read is checked against its hash; a file whose bytes do not match is refused.
        """
        sha1, _ = parse_uri(uri)
        path = self.file_path(uri) or self.path(uri)
        try:
            with open(path, "rb") as f:
                if start is None and end is None:
                    data = f.read()
                else:
                    f.seek(start or 0)
                    return f.read(None if end is None else max(0, end - (start or 0)))
        except FileNotFoundError:
            raise FileNotInStoreError(f"{uri} is not in the store at {self.directory} (looked for {path})") from None
        if sha1_hex(data) != sha1:
            raise CorruptFileError(f"{path} does not match its hash {sha1}; delete the file and store the data again")
        return data

    def load_json(self, uri: str) -> object:
        """Read and parse a stored JSON file."""
        return json.loads(self.load_bytes(uri))


def write_atomic(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` through a flushed temporary file and a rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, target)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        raise
