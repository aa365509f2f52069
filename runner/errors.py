"""Errors of the runner: those a request can end in (``app.py`` turns each into one short HTTP response), and
a failed start."""

from __future__ import annotations


class RequestError(Exception):
    """A request the runner refuses, with the HTTP status and a message a person can act on.

    Parameters
    ----------
    message : str
        One or two sentences saying what was wrong and, when it helps, what to do.
    headers : dict[str, str] | None
        Extra response headers (e.g. ``Content-Range`` of a 416).
    """

    status_code = 500

    def __init__(self, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.headers = headers or {}


class BadRequest(RequestError):
    status_code = 400


class NotFound(RequestError):
    status_code = 404


class PayloadTooLarge(RequestError):
    status_code = 413


class UnsupportedMediaType(RequestError):
    status_code = 415


class RangeNotSatisfiable(RequestError):
    """A ``Range`` header that cannot be served for a file of ``size`` bytes."""

    status_code = 416

    def __init__(self, message: str, size: int):
        super().__init__(message, headers={"Content-Range": f"bytes */{size}"})


class InsufficientStorage(RequestError):
    """The store's disk is full (or over quota): nothing was stored."""

    status_code = 507


class ViewerNotBuilt(RequestError):
    """The viewer bundle (``viewer/dist``) is missing; answered with an HTML page explaining how to build it."""

    status_code = 503


class StartError(Exception):
    """The runner could not start; the message says why and what to do."""
