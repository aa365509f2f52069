"""The history of a curation: the actions in effect and those undone, which ``UNDO`` and ``REDO`` walk.

The viewer's ``state/curationHistory.ts`` does the same, so a journal replays to the same history in both.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .curation_state import apply_action, empty_curation, normalize_curation, validate_action
from .curation_units import CurationError


class CurationHistory:
    """A curation with the actions that made it, so that ``UNDO`` and ``REDO`` can walk back and forth.

    ``UNDO`` returns to the state before the last action still in effect and ``REDO`` applies again the
    last one undone; any other action clears what could be redone. Undo and redo are actions themselves
    (a journal records them), and the viewer's history does the same (docs/curation.md).

    Parameters
    ----------
    initial : Mapping | None
        The starting curation (default: an empty one).
    """

    def __init__(self, initial: Mapping | None = None) -> None:
        self.state = normalize_curation(initial) if initial is not None else empty_curation()
        self.past: list[tuple[dict, dict]] = []  # (action, state before it)
        self.future: list[dict] = []  # undone actions, the next to redo last

    def apply(self, action: Mapping) -> dict:
        """Apply one action (``UNDO`` and ``REDO`` included) and return the new state.

        Raises
        ------
        CurationError
            For an invalid action, nothing to undo or redo, or a change to a closed curation.
        """
        action = validate_action(action)
        kind = action["type"]
        if kind == "UNDO":
            if not self.past:
                raise CurationError("UNDO: there is nothing to undo")
            if self.state["isClosed"] and self.past[-1][0]["type"] != "CLOSE_CURATION":
                raise CurationError("the curation is closed; send REOPEN_CURATION before UNDO")
            undone, before = self.past.pop()
            self.future.append(undone)
            self.state = before
        elif kind == "REDO":
            if not self.future:
                raise CurationError("REDO: there is nothing to redo")
            redone = self.future[-1]
            after = apply_action(self.state, redone)
            self.future.pop()
            self.past.append((redone, self.state))
            self.state = after
        else:
            after = apply_action(self.state, action)
            self.past.append((action, self.state))
            self.future = []
            self.state = after
        return self.state

    @property
    def can_undo(self) -> bool:
        return bool(self.past) and (not self.state["isClosed"] or self.past[-1][0]["type"] == "CLOSE_CURATION")

    @property
    def can_redo(self) -> bool:
        return bool(self.future) and not self.state["isClosed"]


def replay(actions: Iterable[Mapping], initial: Mapping | None = None) -> dict:
    """The state after applying ``actions`` (``UNDO``/``REDO`` included) in order to ``initial``.

    Raises
    ------
    CurationError
        At the first action that does not apply, naming its position; nothing is returned then.
    """
    history = CurationHistory(initial)
    for number, action in enumerate(actions):
        try:
            history.apply(action)
        except CurationError as error:
            raise CurationError(f"action {number} ({_kind(action)}): {error}") from error
    return history.state


def _kind(action: Any) -> str:
    return str(action.get("type")) if isinstance(action, Mapping) else type(action).__name__
