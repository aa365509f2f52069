"""The error a handler raises for input it cannot serve; the HTTP layer answers it with a 4xx."""

from __future__ import annotations


class HandlerInputError(ValueError):
    """A task input that is missing, malformed, out of range or too large.

    The message names the offending key and says how to fix the request, so it can be
    shown to the person who made it as is.
    """
