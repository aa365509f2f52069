"""Reading a task input: known keys only, typed values, ranges, and ids resolved against the data."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from .errors import HandlerInputError

_MISSING = object()


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class TaskInput:
    """A task input checked against the keys a handler knows.

    Parameters
    ----------
    task_input : Mapping
        The JSON object sent by the client.
    required : sequence of str
        Keys that must be present.
    optional : sequence of str
        Keys that may be present.

    Raises
    ------
    HandlerInputError
        When the input is not an object, a required key is missing or a key is unknown.
    """

    def __init__(
        self,
        task_input: Any,
        required: Sequence[str] = (),
        optional: Sequence[str] = (),
    ) -> None:
        if not isinstance(task_input, Mapping):
            raise HandlerInputError(f"the task input must be a JSON object, got {type(task_input).__name__}")
        known = set(required) | set(optional)
        unknown = sorted(str(k) for k in task_input if k not in known)
        if unknown:
            raise HandlerInputError(
                f"unknown input key(s) {', '.join(unknown)}; this task accepts {', '.join(sorted(known))}"
            )
        missing = [k for k in required if k not in task_input]
        if missing:
            raise HandlerInputError(f"missing input key(s) {', '.join(missing)}; add them to the task input")
        self._values = task_input

    def has(self, key: str) -> bool:
        """Whether the key is present with a non-null value."""
        return self._values.get(key) is not None

    def raw(self, key: str, default: Any = None) -> Any:
        """The value as sent (``default`` when absent or null)."""
        value = self._values.get(key)
        return default if value is None else value

    def string(self, key: str, default: Any = _MISSING) -> str:
        """A non-empty string."""
        value = self._get(key, default)
        if not isinstance(value, str) or not value:
            raise HandlerInputError(f"{key} must be a non-empty string, got {_show(value)}")
        return value

    def integer(self, key: str, default: Any = _MISSING, minimum: int | None = None, maximum: int | None = None) -> int:
        """An integer (a float with an integral value is accepted, since JSON has one number type)."""
        value = self._get(key, default)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise HandlerInputError(f"{key} must be an integer, got {_show(value)}")
        value = int(value)
        _check_range(key, value, minimum, maximum)
        return value

    def number(
        self, key: str, default: Any = _MISSING, minimum: float | None = None, maximum: float | None = None
    ) -> float:
        """A finite number."""
        value = self._get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise HandlerInputError(f"{key} must be a number, got {_show(value)}")
        try:
            value = float(value)
        except OverflowError:  # an integer beyond a float's range, which JSON allows
            raise HandlerInputError(
                f"{key} must be a finite number, got an integer of {len(str(value))} digits"
            ) from None
        if not math.isfinite(value):
            raise HandlerInputError(f"{key} must be a finite number, got {value}")
        _check_range(key, value, minimum, maximum)
        return value

    def boolean(self, key: str, default: Any = _MISSING) -> bool:
        """``true`` or ``false``."""
        value = self._get(key, default)
        if not isinstance(value, bool):
            raise HandlerInputError(f"{key} must be true or false, got {_show(value)}")
        return value

    def choice(self, key: str, choices: Sequence[str], default: Any = _MISSING) -> str:
        """One of a few strings."""
        value = self._get(key, default)
        if value not in choices:
            raise HandlerInputError(f"{key} must be one of {', '.join(map(repr, choices))}, got {_show(value)}")
        return value

    def _get(self, key: str, default: Any) -> Any:
        value = self._values.get(key)
        if value is None:
            if default is _MISSING:
                raise HandlerInputError(f"missing input key {key}; add it to the task input")
            return default
        return value


def _check_range(key: str, value: float, minimum: float | None, maximum: float | None) -> None:
    if minimum is not None and value < minimum:
        raise HandlerInputError(f"{key} must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise HandlerInputError(f"{key} must be at most {maximum}, got {value}")


def _id_lookup(ids: Iterable) -> tuple[dict, dict]:
    """Maps from id values (exact) and from ``str(id)`` to indices; JSON may carry ``"7"`` for unit 7."""
    exact: dict = {}
    by_text: dict = {}
    for index, value in enumerate(ids):
        value = value.item() if isinstance(value, np.generic) else value
        exact.setdefault(value, index)
        by_text.setdefault(str(value), index)
    return exact, by_text


def _is_id(value: Any) -> bool:
    return isinstance(value, (int, str, np.integer, np.str_)) and not isinstance(value, bool)


def resolve_ids(values: Any, known_ids: Sequence, key: str, kind: str = "unit") -> list[int]:
    """Indices of the given ids in ``known_ids``, in the order given.

    Parameters
    ----------
    values : int | str | list
        One id or a list of ids, as JSON sent them.
    known_ids : sequence
        The ids of the sorting (units) or the recording (channels).
    key : str
        The input key, named in error messages.
    kind : str
        ``"unit"`` or ``"channel"``, named in error messages.

    Raises
    ------
    HandlerInputError
        For an empty list, a value that is not an int or a str, an unknown id or a repeated id.
    """
    if _is_id(values):
        values = [values]
    if not isinstance(values, (list, tuple)) or not values:
        raise HandlerInputError(f"{key} must be a {kind} id or a non-empty list of {kind} ids, got {_show(values)}")
    exact, by_text = _id_lookup(known_ids)
    indices = []
    for value in values:
        if not _is_id(value):
            raise HandlerInputError(f"{key} holds {_show(value)}; {kind} ids are ints or strings")
        index = exact.get(value.item() if isinstance(value, np.generic) else value)
        if index is None:
            index = by_text.get(str(value))
        if index is None:
            shown = ", ".join(str(v) for v in list(known_ids)[:12])
            more = ", ..." if len(known_ids) > 12 else ""
            raise HandlerInputError(f"{key}: no {kind} with id {_show(value)}; the {kind} ids are {shown}{more}")
        if index in indices:
            raise HandlerInputError(f"{key} lists {kind} {_show(value)} twice; give each id once")
        indices.append(index)
    return indices


def resolve_unit_groups(values: Any, unit_ids: Sequence, key: str, max_groups: int) -> list[list[int]]:
    """Unit groups (each a unit id or a list of unit ids, i.e. a merge group) as lists of unit indices."""
    if not isinstance(values, (list, tuple)) or not values:
        raise HandlerInputError(f"{key} must be a non-empty list of unit ids or lists of unit ids, got {_show(values)}")
    if len(values) > max_groups:
        raise HandlerInputError(f"{key} has {len(values)} groups; at most {max_groups} per request, split the request")
    return [resolve_ids(group, unit_ids, f"{key}[{i}]") for i, group in enumerate(values)]


def plain_id(value: Any) -> int | str:
    """A unit or channel id as a plain JSON value (numpy scalars unwrapped)."""
    if isinstance(value, np.generic):
        value = value.item()
    return value


def resolve_id(value: Any, known_ids: Sequence, key: str, kind: str = "unit") -> int:
    """Index of a single id in ``known_ids``."""
    if not _is_id(value):
        raise HandlerInputError(f"{key} must be one {kind} id (an int or a string), got {_show(value)}")
    return resolve_ids(value, known_ids, key, kind)[0]
