"""Content URIs: ``sha1://<hash>[?label=<name>]`` and kachery 2.x's ``kachery:<zone>:sha1:<hash>[:<label>]``."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qs, quote, urlsplit

_SHA1_HEX = re.compile(r"[0-9a-f]{40}")


class InvalidUriError(ValueError):
    """A string that is not a content URI this package understands."""


def sha1_hex(data: bytes) -> str:
    """SHA-1 of ``data`` as 40 lowercase hex characters."""
    return hashlib.sha1(data).hexdigest()


def sha1_uri(sha1: str, label: str | None = None) -> str:
    """Format ``sha1://<hash>``, with ``?label=`` when a label is given (the label never changes the hash)."""
    check_sha1(sha1)
    if label:
        return f"sha1://{sha1}?label={quote(label)}"
    return f"sha1://{sha1}"


def check_sha1(sha1: str) -> str:
    """Return ``sha1`` if it is 40 lowercase hex characters, else raise ``InvalidUriError``."""
    # fullmatch: with match and "$", a hash followed by a newline passed (and reached an ETag header)
    if not isinstance(sha1, str) or not _SHA1_HEX.fullmatch(sha1):
        raise InvalidUriError(f"{sha1!r} is not a SHA-1 hash (40 lowercase hex characters)")
    return sha1


def parse_uri(uri: str) -> tuple[str, str | None]:
    """Split a content URI into ``(sha1, label)``.

    Accepts ``sha1://<hash>``, ``sha1://<hash>?label=x``, ``sha1://<hash>/name`` and
    ``kachery:<zone>:sha1:<hash>[:label]``.
    """
    if not isinstance(uri, str):
        raise InvalidUriError(f"A content URI must be a string, got {type(uri).__name__}")
    if uri.startswith("sha1://"):
        parts = urlsplit(uri)
        sha1 = parts.netloc or parts.path.split("/")[0]
        label = parse_qs(parts.query).get("label", [None])[0]
        return check_sha1(sha1.lower()), label
    if uri.startswith("kachery:"):
        fields = uri.split(":")
        if len(fields) < 4 or fields[2] != "sha1":
            raise InvalidUriError(f"{uri!r} is not a kachery URI of the form kachery:<zone>:sha1:<hash>[:label]")
        label = ":".join(fields[4:]) or None
        return check_sha1(fields[3].lower()), label
    raise InvalidUriError(f"{uri!r} is not a content URI; expected sha1://<hash> or kachery:<zone>:sha1:<hash>")


def relative_path(sha1: str) -> str:
    """Path of a file inside a store folder, in the kachery layout ``sha1/aa/bb/cc/<hash>``."""
    check_sha1(sha1)
    return f"sha1/{sha1[0:2]}/{sha1[2:4]}/{sha1[4:6]}/{sha1}"
