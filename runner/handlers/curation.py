"""Curation actions: checked, appended to a durable journal (one JSON line each), answered with the new state."""

from __future__ import annotations

import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from spikeinterface_sortingview.curation import (
    CurationError,
    CurationHistory,
    action_unit_ids,
    parse_journal,
    unit_layout,
    validate_action,
)

from ..handler_io.data import DataSource
from ..handler_io.errors import HandlerInputError
from ..handler_io.inputs import TaskInput, resolve_ids
from ..handler_io.result import HandlerResult

JOURNAL_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
JOURNAL_SUFFIX = ".jsonl"
ACTION_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
JOURNAL_SCHEME = "journal://"
LOCK_SUFFIX = ".lock"
# Who made an action: the curator token's name, given by the server, else this.
LOCAL_CURATOR = "local"
CURATOR_NAME = re.compile(r"[^\x00-\x1f]{1,100}")

if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock(fd: int, exclusive: bool) -> None:
        # msvcrt has no shared locks; readers take the exclusive lock too (journals are small).
        msvcrt.locking(fd, msvcrt.LK_LOCK, 1)

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(fd: int, exclusive: bool) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


def journal_name(value: object) -> str:
    """A journal name (``my-sorting`` or ``journal://my-sorting``): letters, digits, ``. _ -``, at most 128."""
    if isinstance(value, str) and value.startswith(JOURNAL_SCHEME):
        value = value[len(JOURNAL_SCHEME) :]
    if not isinstance(value, str) or not JOURNAL_NAME.fullmatch(value) or ".." in value:
        raise HandlerInputError(
            f"journal must be a name of letters, digits, '.', '_' or '-' (at most 128, not starting with "
            f"'.' or '-'), optionally prefixed with {JOURNAL_SCHEME}; got {value!r}"
        )
    return value


class CurationJournal:
    """An append-only file of curation actions, one JSON object per line.

    Parameters
    ----------
    path : Path
        The journal file (created on the first append).

    Notes
    -----
    Each line is ``{"seq": n, "time": <unix seconds>, "action": {...}, "who": <curator>}``, with ``"id"``
    when the client gave the action an id. ``UNDO`` and ``REDO`` are lines too: the file only grows. An append holds an exclusive lock (``flock`` of a ``.lock`` file
    beside the journal) from reading the state to writing the line, so concurrent writers (Ray
    workers in several processes) serialize, and each action is checked against the state it
    applies to. The line is ``fsync``-ed before the append returns: an acknowledged action
    survives ``kill -9`` and power loss. A line cut short by a crash mid-write (no final newline)
    was never acknowledged; readers skip it and the next append removes it. An action whose id is
    already in the journal was applied before (a client retrying after a lost answer): it is not
    applied again.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> tuple[list[dict], dict]:
        """The actions and the state they replay to."""
        records, history = self.read_history()
        return [r["action"] for r in records], history.state

    def read_history(self) -> tuple[list[dict], CurationHistory]:
        """The journal's records (``{seq, time, action, id?, who?}``) and the history they replay to."""
        if not self.path.exists():
            return [], CurationHistory()
        with self._locked(exclusive=False) as file:
            return self._replay(file.read())

    def append(
        self,
        action: dict,
        action_id: str | None = None,
        who: str = LOCAL_CURATOR,
        check: Callable[[dict, dict], None] | None = None,
    ) -> tuple[list[dict], CurationHistory, bool]:
        """Check ``action`` against the current state, append it durably, return (records, history, appended).

        Parameters
        ----------
        action : dict
            The curation action.
        action_id : str | None
            The client's id for this action. If a line with this id is already in the journal, nothing is
            appended and ``appended`` is False: a retried action is applied once.
        who : str
            Who made it (the curator's name), kept in the line.
        check : callable | None
            ``check(state, action)`` before the action applies, under the lock (e.g. against the sorting).

        Raises
        ------
        CurationError
            When the action is invalid or not allowed now, or its id was used for another action (nothing
            is written then).
        """
        action = validate_action(action)
        created = not self.path.exists()
        with self._locked(exclusive=True) as file:
            content = file.read()
            records, history = self._replay(content)
            if action_id is not None:
                earlier = next((r for r in records if r.get("id") == action_id), None)
                if earlier is not None:
                    if earlier["action"] != action:
                        raise CurationError(
                            f"action_id {action_id!r} was already used for another action (line {earlier['seq'] + 1} "
                            "of the journal); give every new action a new id"
                        )
                    return records, history, False
            if check is not None:
                check(history.state, action)
            history.apply(action)
            complete = content[: content.rfind(b"\n") + 1]
            if len(complete) != len(content):
                # A torn line from a crashed writer: it was never acknowledged, drop it.
                file.truncate(len(complete))
            record = {"seq": len(records), "time": round(time.time(), 3), "action": action, "who": who}
            if action_id is not None:
                record["id"] = action_id
            line = json.dumps(record, sort_keys=True, separators=(",", ":")).encode() + b"\n"
            os.write(file.fileno(), line)
            os.fsync(file.fileno())
        if created:
            _fsync_dir(self.path.parent)
        return [*records, record], history, True

    def _replay(self, content: bytes) -> tuple[list[dict], CurationHistory]:
        return parse_journal(content, self.path)

    @contextmanager
    def _locked(self, exclusive: bool) -> Iterator:
        """The journal opened for reading (and appending, when exclusive) under the journal's lock."""
        lock_fd = os.open(self.path.with_name(self.path.name + LOCK_SUFFIX), os.O_RDWR | os.O_CREAT, 0o644)
        try:
            _lock(lock_fd, exclusive)
            try:
                with open(self.path, "a+b" if exclusive else "rb") as file:
                    file.seek(0)
                    yield file
            finally:
                _unlock(lock_fd)
        finally:
            os.close(lock_fd)


def _fsync_dir(path: Path) -> None:
    """Make a new file's directory entry durable too."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _journal(task: TaskInput, data: DataSource) -> CurationJournal:
    return CurationJournal(data.journal_dir / (journal_name(task.raw("journal")) + JOURNAL_SUFFIX))


def _check_units(sorting_uri: str, data: DataSource) -> Callable[[dict, dict], None]:
    """A check that the units an action names are units of the sorting, and a split's indices its spikes."""
    sorting = data.sorting(sorting_uri)

    def check(state: dict, action: dict) -> None:
        for unit in action_unit_ids(action):
            resolve_ids(unit, sorting.unit_ids, "action unit ids")
        if action["type"] == "SPLIT_UNIT":
            unit = unit_layout(state).resolve(action["unitId"], "SPLIT_UNIT.unitId")
            counts = sorting.count_num_spikes_per_unit()
            positions = resolve_ids(list(unit.members), sorting.unit_ids, "action unit ids")
            total = sum(int(counts[sorting.unit_ids[p]]) for p in positions)
            size = {"all": total, "take": len(unit.selection.positions)}.get(
                unit.selection.mode, total - len(unit.selection.positions)
            )
            if action["indices"][-1] >= size:
                raise CurationError(
                    f"SPLIT_UNIT: unit {unit.key} has {size} spikes, index {action['indices'][-1]} is past them"
                )
            if len(action["indices"]) >= size:
                raise CurationError(
                    f"SPLIT_UNIT: the indices name all {size} spikes of unit {unit.key}; a split needs two parts"
                )

    return check


def curation_action(task_input: dict, data: DataSource) -> HandlerResult:
    """``sortingview.curation_action.1`` (an action, never cached): append a curation action to a journal.

    Input: ``journal`` (a name, e.g. ``"mysession-kilosort"``, or ``journal://<name>``),
    ``action`` (``{type, ...}``: ``ADD_UNIT_LABEL``/``REMOVE_UNIT_LABEL``/``TOGGLE_UNIT_LABEL``
    ``{unitId (one or a list), label}``, ``MERGE_UNITS``/``UNMERGE_UNITS`` ``{unitIds}``,
    ``SPLIT_UNIT {unitId, indices}``, ``REMOVE_UNITS``/``RESTORE_UNITS {unitIds}``, ``UNDO``, ``REDO``,
    ``SET_CURATION {curation}``, ``CLOSE_CURATION``, ``REOPEN_CURATION``,
    ``SET_LABEL_CHOICES {labelChoices}``, ``SET_LABEL_DEFINITIONS {labelDefinitions}``), ``sorting_uri``
    (optional: unit ids and split indices are checked against it), ``action_id`` (optional, recommended: a
    client-chosen id, new for each action; an action sent again with the same id, e.g. retried after a lost
    answer, is applied once), ``who`` (set by the server: the curator token's name, else ``"local"``).
    Output: ``curation`` (the state after every journal action), ``numActions``, ``applied`` (False for an
    id already in the journal), ``canUndo``, ``canRedo``.
    """
    task = TaskInput(task_input, required=("journal", "action"), optional=("sorting_uri", "action_id", "who"))
    journal = _journal(task, data)
    action_id = _action_id(task.raw("action_id")) if task.has("action_id") else None
    who = _curator(task.raw("who")) if task.has("who") else LOCAL_CURATOR
    try:
        action = validate_action(task.raw("action"))
        check = _check_units(task.string("sorting_uri"), data) if task.has("sorting_uri") else None
        records, history, applied = journal.append(action, action_id, who=who, check=check)
    except CurationError as error:
        raise HandlerInputError(f"action: {error}") from error
    return HandlerResult(
        {
            "curation": history.state,
            "numActions": len(records),
            "applied": applied,
            "canUndo": history.can_undo,
            "canRedo": history.can_redo,
        }
    )


def _curator(value: object) -> str:
    if not isinstance(value, str) or not CURATOR_NAME.fullmatch(value):
        raise HandlerInputError(f"who must be a curator name of 1 to 100 printable characters, got {value!r}")
    return value


def _action_id(value: object) -> str:
    if not isinstance(value, str) or not ACTION_ID.fullmatch(value):
        raise HandlerInputError(
            f"action_id must be 1 to 128 letters, digits, '.', '_', ':' or '-' (e.g. a UUID), got {value!r}"
        )
    return value


def curation_state(task_input: dict, data: DataSource) -> HandlerResult:
    """``sortingview.curation_state.1`` (registered as an action so it is never cached): read a journal.

    Input: ``journal``. Output: ``curation``, ``numActions`` (an unknown journal is an empty curation),
    ``canUndo``, ``canRedo``, and ``actions``: every line's ``{seq, time, who, action}``, from which the page
    rebuilds the history it shows and walks.
    """
    task = TaskInput(task_input, required=("journal",))
    records, history = _journal(task, data).read_history()
    actions = [
        {"seq": r["seq"], "time": r["time"], "who": r.get("who", LOCAL_CURATOR), "action": r["action"]} for r in records
    ]
    return HandlerResult(
        {
            "curation": history.state,
            "numActions": len(records),
            "canUndo": history.can_undo,
            "canRedo": history.can_redo,
            "actions": actions,
        }
    )
