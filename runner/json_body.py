"""Reading the JSON body of a compute request: bounded in size, strict JSON only (no NaN, no lone surrogates), shallow.

Python's ``json`` accepts what JSON does not (``NaN``, ``Infinity``, ``1e99999`` read as infinity, lone UTF-16
surrogates) and nests as deep as its recursion allows; each of these passed the web layer and failed later
(hashing a job id, encoding a reply) as a 500. They are refused here, where the body is read, with a 400.
"""

from __future__ import annotations

import json
import math
from typing import Any

from starlette.requests import Request

from .errors import BadRequest, PayloadTooLarge, UnsupportedMediaType

# Task inputs are URIs, ids and a few numbers: a curation's largest merge is a few kB.
DEFAULT_MAX_JSON_BYTES = 4 * 1024 * 1024
# Task inputs nest a few levels (unit_groups: a list of lists); deeper bodies are not requests of this API.
MAX_JSON_DEPTH = 32
JSON_TYPES = ("application/json",)


async def read_json_body(request: Request, max_bytes: int = DEFAULT_MAX_JSON_BYTES) -> Any:
    """The request's body parsed as strict JSON.

    Raises
    ------
    UnsupportedMediaType
        For a body whose ``Content-Type`` is not ``application/json``.
    PayloadTooLarge
        For a body of more than ``max_bytes`` bytes (declared or sent).
    BadRequest
        For a body that is not strict JSON, or nests more than ``MAX_JSON_DEPTH`` levels.
    """
    path = request.url.path
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in JSON_TYPES:
        raise UnsupportedMediaType(f"POST {path} needs Content-Type: application/json (got {content_type or 'none'})")
    too_large = (
        f"the body of POST {path} is larger than this runner accepts ({max_bytes} bytes); "
        "task inputs carry URIs and ids, not data: store data with POST /sha1 and send its URI"
    )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise PayloadTooLarge(too_large)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_bytes:
            raise PayloadTooLarge(too_large)
    return parse_strict_json(bytes(body), f"the body of POST {path}")


def parse_strict_json(body: bytes, what: str = "the body") -> Any:
    """Parse bytes as JSON as RFC 8259 defines it, refusing what Python's ``json`` would let through.

    Raises
    ------
    BadRequest
        Naming the problem: not UTF-8, not JSON, ``NaN``/``Infinity``, a number too large for a float, a lone
        surrogate, or nesting deeper than ``MAX_JSON_DEPTH``.
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as e:
        raise BadRequest(f"{what} is not UTF-8 text: {e.reason} at byte {e.start}") from None
    try:
        value = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except RecursionError:
        raise BadRequest(f"{what} nests lists or objects more than {MAX_JSON_DEPTH} deep") from None
    except json.JSONDecodeError as e:
        raise BadRequest(f"{what} is not JSON: {e.msg} at line {e.lineno} column {e.colno}") from None
    except ValueError as e:  # NaN, Infinity, huge numbers (from the hooks below or int())
        raise BadRequest(f"{what} is not strict JSON: {e}") from None
    _check_values(value, what)
    return value


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number; send finite numbers (or null)")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text[:40]} is too large for a 64-bit float")
    return value


def _check_values(value: Any, what: str) -> None:
    """Walk the parsed value (without recursion): depth, and strings that cannot be encoded (lone surrogates)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            _check_text(item, what)
            continue
        if not isinstance(item, (list, dict)):
            continue
        if depth > MAX_JSON_DEPTH:
            raise BadRequest(f"{what} nests lists or objects more than {MAX_JSON_DEPTH} deep")
        if isinstance(item, dict):
            for key in item:
                _check_text(key, what)
            children = item.values()
        else:
            children = item
        stack.extend((child, depth + 1) for child in children)


def _check_text(text: str, what: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise BadRequest(
            f"{what} holds a lone UTF-16 surrogate (\\ud800-\\udfff) in a string; send valid Unicode"
        ) from None
