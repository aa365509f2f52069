"""What the sortingview backend does with a widget's keyword arguments: honour, refuse, or show the page's way.

SpikeInterface hands a backend only the widget's ``data_plot``, so an argument is seen through the entries
that hold it. An argument the page cannot show is refused when its value differs from SpikeInterface's default
(a default cannot be told apart from an argument not passed), with a message naming the argument and what to
use instead: nothing the page cannot show is dropped silently. The table itself is in ``parity.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from spikeinterface.widgets.utils import get_some_colors

# the figure shows it as SpikeInterface's matplotlib backend does
HONOURED = "honoured"
# a value other than SpikeInterface's default raises UnsupportedArgumentError, which says what to use instead
REFUSED = "refused"
# accepted whatever its value: the page has its own way of showing it (the note says which)
PAGE = "the page's way"

STATUSES = (HONOURED, REFUSED, PAGE)

# the end of most refusals: SpikeInterface's own backend draws it
MATPLOTLIB = "or use backend='matplotlib'"


class UnsupportedArgumentError(ValueError):
    """A widget argument the sortingview backend cannot show, with what to use instead."""


@dataclass(frozen=True)
class Argument:
    """One keyword argument of a SpikeInterface widget and what the sortingview backend does with it.

    Parameters
    ----------
    name : str
        The argument's name, as in the widget's signature.
    status : str
        ``HONOURED``, ``REFUSED`` or ``PAGE``.
    note : str
        How it is honoured, or (refused) why the page cannot show it and what to use instead.
    given : callable or None
        For a refused argument: ``given(data_plot)`` is True when the call set it to something other than
        SpikeInterface's default.
    """

    name: str
    status: str
    note: str
    given: Callable[[dict], bool] | None = None

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"argument {self.name!r}: status {self.status!r} is not one of {STATUSES}")
        if (self.status == REFUSED) != (self.given is not None):
            raise ValueError(f"argument {self.name!r}: a refused argument, and only one, needs `given`")


def same_value(value: object, default: object) -> bool:
    """Equality that works for arrays, tuples against lists, and dicts of them."""
    if isinstance(value, dict) and isinstance(default, dict):
        return value.keys() == default.keys() and all(same_value(value[k], default[k]) for k in value)
    if isinstance(value, (list, tuple, np.ndarray)) or isinstance(default, (list, tuple, np.ndarray)):
        try:
            return bool(np.array_equal(np.asarray(value, dtype=object), np.asarray(default, dtype=object)))
        except (TypeError, ValueError):
            return False
    return value == default


def differs(key: str, default: object) -> Callable[[dict], bool]:
    """``given`` for an argument held as it was passed in ``data_plot[key]``."""
    return lambda data_plot: not same_value(data_plot.get(key, default), default)


def refused(name: str, key: str, default: object, note: str) -> Argument:
    """An argument held in ``data_plot[key]`` as passed, refused unless it is ``default``."""
    return Argument(name, REFUSED, note, differs(key, default))


def colours_given(key: str = "unit_colors") -> Callable[[dict], bool]:
    """``given`` for ``unit_colors``: SpikeInterface replaces None with ``get_unit_colors``, which is deterministic."""

    def given(data_plot: dict) -> bool:
        colours = data_plot.get(key)
        return colours is not None and not same_value(colours, get_some_colors(list(colours)))

    return given


def check_arguments(
    widget: str, data_plot: dict, table: dict[str, tuple[Argument, ...]], shown_as: str | None = None
) -> None:
    """Raise ``UnsupportedArgumentError`` for the first refused argument of ``widget`` the call set."""
    for argument in table[widget]:
        if argument.status == REFUSED and argument.given(data_plot):
            raise UnsupportedArgumentError(
                f"{shown_as or widget}: the sortingview backend does not support {argument.name}=...; {argument.note}"
            )
