"""Store files over HTTP: ``GET /sha1/<hash>`` with byte ranges and caching headers, ``POST /sha1`` to store bytes,
``PUT /sha1/<hash>`` to upload a file checked against its hash, ``POST /sha1/missing`` to ask which files are lacking."""

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

# An upload is written to disk in pieces of this size (each write runs in a thread, off the event loop).
UPLOAD_WRITE_BYTES = 1024 * 1024
# Hashes one POST /sha1/missing may ask about (its JSON is then about 2 MB).
MAX_MISSING_QUERY = 50_000

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
        self._require_octet_stream(request, "POST /sha1")
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
            raise InsufficientStorage(self._full_message(e)) from None
        return JSONResponse({"uri": uri})

    async def put(self, sha1: str, request: Request) -> JSONResponse:
        """Answer ``PUT /sha1/<hash>``: store the body under ``<hash>`` if its bytes hash to it, else 400.

        The body streams to a temporary file while it is hashed, so any size fits in memory; a body that
        fails its hash, a client that goes away and a full disk all leave nothing under the hash name.
        """
        sha1 = self._checked_sha1(sha1)
        self._require_octet_stream(request, f"PUT /sha1/{sha1}")
        try:
            incoming = await run_in_threadpool(self.store.incoming, sha1)
        except OSError as e:
            return await self._refuse_full(request, e)
        try:
            pending = bytearray()
            async for piece in request.stream():
                pending += piece
                if len(pending) >= UPLOAD_WRITE_BYTES:
                    await run_in_threadpool(incoming.write, bytes(pending))
                    pending.clear()
            if pending:
                await run_in_threadpool(incoming.write, bytes(pending))
            uri = await run_in_threadpool(incoming.commit)
        except CorruptFileError as e:
            raise BadRequest(f"PUT /sha1/{sha1}: {e}. Send the file's own bytes (its SHA-1 names it).") from None
        except OSError as e:
            await run_in_threadpool(incoming.abort)
            return await self._refuse_full(request, e)
        finally:
            await run_in_threadpool(incoming.abort)
        return JSONResponse({"uri": uri, "size": incoming.size})

    async def _refuse_full(self, request: Request, error: OSError) -> JSONResponse:
        """507 for a full disk, after reading the rest of the body (a client still sending would see a reset)."""
        if error.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise error
        async for _ in request.stream():
            pass
        raise InsufficientStorage(self._full_message(error))

    async def missing(self, request: Request) -> JSONResponse:
        """Answer ``POST /sha1/missing`` with ``{"sha1": [hashes]}``: ``{"missing": [those this store lacks]}``.

        A file counts as present when the store has it (a copy or a file registered in place); its bytes
        are checked when it is read, as always.
        """
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > 4 * 1024 * 1024:
            raise PayloadTooLarge(f"POST /sha1/missing takes at most {MAX_MISSING_QUERY} hashes (4 MB) at once")
        try:
            body = await request.json()
        except ValueError:
            raise BadRequest('POST /sha1/missing takes JSON: {"sha1": ["<40 hex characters>", ...]}') from None
        hashes = body.get("sha1") if isinstance(body, dict) else None
        if not isinstance(hashes, list) or not all(isinstance(h, str) for h in hashes):
            raise BadRequest('POST /sha1/missing takes JSON: {"sha1": ["<40 hex characters>", ...]}')
        if len(hashes) > MAX_MISSING_QUERY:
            raise BadRequest(
                f"POST /sha1/missing takes at most {MAX_MISSING_QUERY} hashes at once; send several requests"
            )
        checked = [self._checked_sha1(h) for h in hashes]
        missing = await run_in_threadpool(lambda: [h for h in checked if not self.store.has(f"sha1://{h}")])
        return JSONResponse({"missing": missing})

    def _checked_sha1(self, sha1: str) -> str:
        sha1 = sha1.lower()
        try:
            check_sha1(sha1)
        except InvalidUriError:
            raise BadRequest(f"{sha1[:80]!r} is not a file name of this store: expected 40 hex characters") from None
        return sha1

    def _require_octet_stream(self, request: Request, what: str) -> None:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type in CROSS_SITE_SIMPLE_TYPES:
            raise UnsupportedMediaType(
                f"{what} needs Content-Type: application/octet-stream (got {content_type or 'none'}); "
                "form and text bodies are refused so that other web pages cannot write to this store"
            )

    def _full_message(self, e: OSError) -> str:
        return (
            f"the store at {self.store.directory} is full ({e.strerror}); nothing was stored. "
            "Free space there (or move the store: SORTINGVIEW_STORE_DIR) and send the file again"
        )

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
