"""Store files over HTTP: ``GET /sha1/<hash>`` with byte ranges and caching headers, ``POST /sha1`` to store bytes."""

from __future__ import annotations

import errno
import os
import re
from collections.abc import AsyncIterator
from typing import BinaryIO

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from spikeinterface_sortingview.store import CorruptFileError, FileNotInStoreError, InvalidUriError, LocalStore
from spikeinterface_sortingview.store.uri import check_sha1

from .errors import (
    BadRequest,
    InsufficientStorage,
    NotFound,
    PayloadTooLarge,
    RangeNotSatisfiable,
    UnsupportedMediaType,
)

# A file's name is the hash of its bytes, so what a URL returns never changes: let browsers keep it.
IMMUTABLE = "public, max-age=31536000, immutable"
CHUNK_SIZE = 256 * 1024
DEFAULT_MAX_UPLOAD_BYTES = 100 * 1024 * 1024

# Bodies of these types (or none) can be POSTed by any web page without a CORS preflight; refusing them
# keeps other sites the user visits from writing into the store.
CROSS_SITE_SIMPLE_TYPES = frozenset({"", "application/x-www-form-urlencoded", "multipart/form-data", "text/plain"})

_BYTE_RANGE = re.compile(r"bytes=([0-9]*)-([0-9]*)", re.ASCII)
# More digits than any file size has; Python refuses to read integers of over 4,300 digits (ValueError).
_MAX_POSITION_DIGITS = 20


def _position(digits: str) -> int:
    """A byte position of a Range header; positions too long to be a file's are read as one past any file."""
    digits = digits.lstrip("0") or "0"
    return 10**_MAX_POSITION_DIGITS if len(digits) > _MAX_POSITION_DIGITS else int(digits)


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """Turn a ``Range`` header into the half-open byte range ``(start, end)`` to send.

    Parameters
    ----------
    header : str
        The header's value, e.g. ``bytes=0-99``, ``bytes=100-`` or ``bytes=-500``.
    size : int
        The file's size in bytes.

    Returns
    -------
    tuple[int, int] | None
        ``(start, end)`` with ``end`` exclusive and clipped to the file, or None for a list of several
        ranges, which is answered with the whole file (RFC 9110 lets a server ignore ``Range``).

    Raises
    ------
    RangeNotSatisfiable
        For a header that is not a byte range, or a range that starts past the end of the file.
    """
    spec = "".join(header.split())
    if "," in spec and spec.lower().startswith("bytes="):
        return None
    match = _BYTE_RANGE.fullmatch(spec.lower())
    if match is None or match.groups() == ("", ""):
        raise RangeNotSatisfiable(
            f"Range {header[:100]!r} is not a byte range such as bytes=0-99, bytes=100- or bytes=-100", size
        )
    first, last = match.groups()
    if not first:
        suffix = _position(last)
        if suffix == 0 or size == 0:
            raise RangeNotSatisfiable(f"Range {header[:100]!r} asks for no bytes of a {size}-byte file", size)
        return max(0, size - suffix), size
    start = _position(first)
    if last and _position(last) < start:
        raise RangeNotSatisfiable(f"Range {header[:100]!r} ends before it starts", size)
    if start >= size:
        raise RangeNotSatisfiable(f"Range {header[:100]!r} starts at or past the end of the {size}-byte file", size)
    end = size if not last else min(_position(last) + 1, size)
    return start, end


def etag_matches(header: str, etag: str) -> bool:
    """True if an ``If-None-Match`` value names ``etag`` (weak comparison) or is ``*``."""
    tags = [t.strip() for t in header.split(",")]
    return "*" in tags or any(t.removeprefix("W/") == etag for t in tags)


class StoreFiles:
    """The HTTP face of a :class:`LocalStore`.

    Parameters
    ----------
    store : LocalStore
        The store whose files are served and written.
    max_upload_bytes : int
        Largest body ``POST /sha1`` accepts; larger ones get 413.
    """

    def __init__(self, store: LocalStore, max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES):
        self.store = store
        self.max_upload_bytes = max_upload_bytes

    async def get(self, sha1: str, request: Request) -> Response:
        """Answer ``GET``/``HEAD /sha1/<hash>``: the file, a byte range of it (206), 304 when cached, or 404."""
        sha1 = sha1.lower()
        try:
            check_sha1(sha1)
        except InvalidUriError:
            raise BadRequest(
                f"/sha1/{sha1[:80]} is not a file name of this store: expected 40 hex characters"
            ) from None
        try:
            # Checked against the hash (whole, the first time this process serves the file since it changed).
            path = await run_in_threadpool(self.store.file_path, f"sha1://{sha1}")
        except (CorruptFileError, FileNotInStoreError) as e:
            raise NotFound(str(e)) from None
        if path is None:
            raise NotFound(f"sha1://{sha1} is not in the store at {self.store.directory}")

        etag = f'"{sha1}"'
        headers = {
            "Accept-Ranges": "bytes",
            "Cache-Control": IMMUTABLE,
            "ETag": etag,
            # The bytes are whatever someone stored; never let a browser run them as a page.
            "X-Content-Type-Options": "nosniff",
        }
        if etag_matches(request.headers.get("if-none-match", ""), etag):
            return Response(status_code=304, headers=headers)

        try:
            # Open before answering: a file removed after the check above is still a 404, not a broken 200.
            file = await run_in_threadpool(open, path, "rb")
        except FileNotFoundError:
            raise NotFound(f"sha1://{sha1} is not in the store at {self.store.directory}") from None
        size = os.fstat(file.fileno()).st_size

        start, end, status = 0, size, 200
        range_header = request.headers.get("range")
        if_range = request.headers.get("if-range")
        if range_header is not None and (if_range is None or if_range == etag):
            try:
                byte_range = parse_range(range_header, size)
            except RangeNotSatisfiable:
                file.close()
                raise
            if byte_range is not None:
                start, end = byte_range
                status = 206
                headers["Content-Range"] = f"bytes {start}-{end - 1}/{size}"
        headers["Content-Length"] = str(end - start)

        if request.method == "HEAD":
            file.close()
            return Response(status_code=status, headers=headers, media_type="application/octet-stream")
        return StreamingResponse(
            read_chunks(file, start, end), status_code=status, headers=headers, media_type="application/octet-stream"
        )

    async def post(self, request: Request) -> JSONResponse:
        """Answer ``POST /sha1``: store the body's bytes and reply ``{"uri": "sha1://<hash>"}``."""
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type in CROSS_SITE_SIMPLE_TYPES:
            raise UnsupportedMediaType(
                f"POST /sha1 needs Content-Type: application/octet-stream (got {content_type or 'none'}); "
                "form and text bodies are refused so that other web pages cannot write to this store"
            )
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_upload_bytes:
            raise PayloadTooLarge(self._too_large_message(int(declared)))
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > self.max_upload_bytes:
                raise PayloadTooLarge(self._too_large_message(None))
        try:
            uri = await run_in_threadpool(self.store.store_bytes, bytes(body))
        except OSError as e:
            if e.errno not in (errno.ENOSPC, errno.EDQUOT):
                raise
            raise InsufficientStorage(
                f"the store at {self.store.directory} is full ({e.strerror}); nothing was stored. "
                "Free space there (or move the store: SORTINGVIEW_STORE_DIR) and send the file again"
            ) from None
        return JSONResponse({"uri": uri})

    def _too_large_message(self, size: int | None) -> str:
        what = f"{size} bytes" if size is not None else "the body"
        return (
            f"{what} is more than this runner accepts in one POST /sha1 ({self.max_upload_bytes} bytes); "
            "store large files from Python, or restart it with a larger --max-upload-mb"
        )


async def read_chunks(file: BinaryIO, start: int, end: int) -> AsyncIterator[bytes]:
    """Yield bytes ``[start, end)`` of an open file in chunks, reading in a thread; close the file at the end."""
    try:
        await run_in_threadpool(file.seek, start)
        remaining = end - start
        while remaining > 0:
            chunk = await run_in_threadpool(file.read, min(CHUNK_SIZE, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk
    finally:
        file.close()
