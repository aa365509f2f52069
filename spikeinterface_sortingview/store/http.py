"""Reading store files from a runner over HTTP (``GET <base>/sha1/<hash>``, with byte ranges), cached locally.

Bytes that arrive over HTTP are checked against the hash they were asked for before
anything is returned or cached: a server (or a proxy) cannot slip in other data.
"""

from __future__ import annotations

import hashlib
import os
import threading
import urllib.error
import urllib.request
from pathlib import Path

from ..runner_client import access_refused_message, authorization, open_url
from .local import CorruptFileError, FileNotInStoreError, LocalStore, StoreError, atomic_file
from .uri import parse_uri, relative_path
from .verified import remember_verified

# Environment variable naming runners (comma-separated base URLs) to read missing files from.
REMOTE_ENVIRONMENT_VARIABLE = "SORTINGVIEW_REMOTE"

_DOWNLOAD_PIECE_BYTES = 4 * 1024 * 1024


class SourceUnreachableError(StoreError):
    """An HTTP source could not be reached or answered with an error other than 404."""


class AccessRefusedError(SourceUnreachableError, PermissionError):
    """A runner refused the request (401, 403): it needs its token, or another one; the message says how."""


class HttpSource:
    """A store served over HTTP, as a runner serves it: ``GET <base_url>/sha1/<hash>`` with ``Range`` support.

    Parameters
    ----------
    base_url : str
        The runner's address, e.g. ``http://192.168.1.20:8931``.
    timeout : float
        Seconds to wait for the server to answer, per request and between received pieces.

    Notes
    -----
    Each request carries the token the configuration gives for ``base_url`` (``remotes:`` in the config
    file, or ``SORTINGVIEW_TOKEN``), read in the process that makes the request (a Ray worker has its own).
    """

    def __init__(self, base_url: str, timeout: float = 60.0):
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"{base_url!r} is not an HTTP source; expected e.g. http://127.0.0.1:8931")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"HttpSource({self.base_url!r})"

    def url(self, uri: str) -> str:
        """The address of the file of ``uri`` on this source."""
        sha1, _ = parse_uri(uri)
        return f"{self.base_url}/sha1/{sha1}"

    def open(self, uri: str, start: int | None = None, end: int | None = None):
        """Start a download of the file of ``uri`` (or of its bytes ``[start, end)``); returns the HTTP response.

        Raises ``FileNotInStoreError`` when the source answers 404 and
        ``SourceUnreachableError`` when it cannot be reached or fails.
        """
        url = self.url(uri)
        request = urllib.request.Request(url, headers=authorization(self.base_url))
        ranged = start is not None or end is not None
        if ranged:
            last = "" if end is None else str(end - 1)
            request.add_header("Range", f"bytes={start or 0}-{last}")
        try:
            response = open_url(request, timeout=self.timeout)
        except urllib.error.HTTPError as e:
            if e.code == 404:
                raise FileNotInStoreError(f"{uri} is not at {url} (HTTP 404)") from None
            if e.code in (401, 403):
                raise AccessRefusedError(f"Reading {uri}: {access_refused_message(self.base_url, e.code)}") from None
            raise SourceUnreachableError(f"{url} answered HTTP {e.code} {e.reason} for {uri}") from None
        except (urllib.error.URLError, OSError) as e:
            reason = getattr(e, "reason", e)
            raise SourceUnreachableError(f"Cannot reach {url} for {uri}: {reason}") from None
        if ranged and response.status != 206:
            # The server ignored the range; reading the whole file instead could be gigabytes.
            response.close()
            raise SourceUnreachableError(
                f"{url} does not support byte ranges (HTTP {response.status} to a Range request)"
            )
        return response

    def fetch(self, uri: str, start: int | None = None, end: int | None = None) -> bytes:
        """The bytes of ``uri`` (or ``[start, end)`` of it) as served, *not* checked against any hash."""
        with self.open(uri, start, end) as response:
            return response.read()


class RemoteStore:
    """A local store that fetches the files it lacks from HTTP sources, checks them, and keeps them.

    Parameters
    ----------
    local : LocalStore
        Where files are looked for first, and where fetched files are cached.
    sources : list of HttpSource or str
        Runners to fetch missing files from, tried in order.

    Notes
    -----
    A fetched file is streamed to a temporary file in the local store while it is hashed,
    and renamed to its hash name only if the hash is the one asked for; otherwise it is
    deleted and ``CorruptFileError`` raised. Memory use does not grow with file size.
    """

    def __init__(self, local: LocalStore, sources: list[HttpSource | str] | tuple = ()):
        self.local = local
        self.sources = [s if isinstance(s, HttpSource) else HttpSource(s) for s in sources]
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()

    def __repr__(self) -> str:
        return f"RemoteStore({self.local!r}, {self.sources!r})"

    def where(self) -> str:
        """Where files are looked for, for error messages."""
        places = [f"the local store at {self.local.directory}"] + [s.base_url for s in self.sources]
        return ", ".join(places)

    def has(self, uri: str) -> bool:
        """True if the local store holds ``uri`` (sources are not asked)."""
        return self.local.has(uri)

    def file_path(
        self, uri: str, from_uri: str | None = None, start: int | None = None, end: int | None = None
    ) -> Path:
        """A local file holding the bytes of ``uri``, fetched from a source first if needed.

        Parameters
        ----------
        uri : str
            The file wanted.
        from_uri, start, end : optional
            Where else its bytes are: the range ``[start, end)`` of the file ``from_uri``
            (a block of a larger file). Tried before ``uri`` itself on each source.
        """
        path = self._local_file(uri)
        if path is not None:
            return path
        if not self.sources:
            raise FileNotInStoreError(f"{uri} is not in {self.where()} (no HTTP source configured)")
        with self._lock(uri):
            path = self._local_file(uri)
            if path is not None:
                return path
            return self._fetch(uri, from_uri, start, end)

    def _local_file(self, uri: str) -> Path | None:
        """The local store's checked file, or None; a corrupt one (now quarantined) is fetched again if it can be."""
        try:
            return self.local.file_path(uri)
        except CorruptFileError:
            if not self.sources:
                raise
            return None

    def load_bytes(self, uri: str, start: int | None = None, end: int | None = None) -> bytes:
        """The bytes of ``uri`` (or ``[start, end)`` of it); the whole file is fetched and cached if missing."""
        self.file_path(uri)
        return self.local.load_bytes(uri, start, end)

    def load_json(self, uri: str) -> object:
        """Read and parse a JSON file, fetching it if needed."""
        self.file_path(uri)
        return self.local.load_json(uri)

    def _lock(self, uri: str) -> threading.Lock:
        # One download per file at a time; concurrent readers of the same chunk wait for it.
        sha1, _ = parse_uri(uri)
        with self._locks_guard:
            return self._locks.setdefault(sha1, threading.Lock())

    def _fetch(self, uri: str, from_uri: str | None, start: int | None, end: int | None) -> Path:
        attempts = []
        refused = None
        candidates = [(from_uri, start, end)] if from_uri is not None else []
        candidates.append((uri, None, None))
        for source in self.sources:
            for source_uri, range_start, range_end in candidates:
                try:
                    return self._download(source, uri, source_uri, range_start, range_end)
                except FileNotInStoreError as e:
                    attempts.append(str(e))
                except SourceUnreachableError as e:
                    attempts.append(str(e))
                    refused = refused or (e if isinstance(e, AccessRefusedError) else None)
                    break
        if refused is not None:
            # No source had the file and one refused us: the missing token is what to fix, said first.
            raise AccessRefusedError("; ".join([str(refused)] + [a for a in attempts if a != str(refused)]))
        raise FileNotInStoreError("; ".join(attempts))

    def _download(self, source: HttpSource, uri: str, source_uri: str, start: int | None, end: int | None) -> Path:
        sha1, _ = parse_uri(uri)
        target = self.local.directory / relative_path(sha1)
        hasher = hashlib.sha1()
        # flushed to disk before it takes its hash name: a local chunk is trusted without re-hashing
        with atomic_file(target) as f, source.open(source_uri, start, end) as response:
            while piece := response.read(_DOWNLOAD_PIECE_BYTES):
                hasher.update(piece)
                f.write(piece)
            if hasher.hexdigest() != sha1:
                what = source.url(source_uri) + ("" if start is None else f" bytes {start}-{end}")
                raise CorruptFileError(
                    f"Refused {what}: its SHA-1 is {hasher.hexdigest()}, not the {sha1} of {uri}. "
                    "The source serves corrupt or different data; nothing was cached."
                )
        remember_verified(target)
        return target


def sources_from_environment() -> list[HttpSource]:
    """HTTP sources named by ``$SORTINGVIEW_REMOTE`` (comma-separated runner addresses), or none."""
    value = os.environ.get(REMOTE_ENVIRONMENT_VARIABLE, "")
    return [HttpSource(url.strip()) for url in value.split(",") if url.strip()]
