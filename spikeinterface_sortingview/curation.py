"""Curation state in the sortingview format: its actions, a pure reducer, and exports SpikeInterface loads.

The state is the sortingview curation JSON (docs/curation.md)::

    {"labelsByUnit": {"<unit id>": ["accept", "mua"]},
     "mergeGroups": [[1, 4], [7, 9, 12]],
     "isClosed": false,
     "labelChoices": ["accept", "reject", "noise", "artifact", "mua"]}

:func:`apply_action` returns a new state and never changes its input, so a journal of
actions replays to the same state anywhere (:func:`replay`).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from .views.curation import DEFAULT_LABEL_CHOICES

ACTION_TYPES = (
    "ADD_UNIT_LABEL",
    "REMOVE_UNIT_LABEL",
    "TOGGLE_UNIT_LABEL",
    "MERGE_UNITS",
    "UNMERGE_UNITS",
    "SET_CURATION",
    "CLOSE_CURATION",
    "REOPEN_CURATION",
    # Sent by newer sortingview pages when the curator adds a label choice.
    "SET_LABEL_CHOICES",
)
_LABEL_ACTIONS = ("ADD_UNIT_LABEL", "REMOVE_UNIT_LABEL", "TOGGLE_UNIT_LABEL")
MAX_LABEL_LENGTH = 100
# The label category of SpikeInterface's own conversion of sortingview curations, so that an
# export and apply_sortingview_curation give the same sorting properties.
SPIKEINTERFACE_LABEL_CATEGORY = "all_labels"

UnitId = int | str


class CurationError(ValueError):
    """An action or a curation that is malformed or not allowed in the current state."""


# ---------------------------------------------------------------------- values


def _unit_id(value: Any, where: str) -> UnitId:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, str, np.integer, np.str_)):
        raise CurationError(f"{where}: unit ids are ints or strings, got {value!r}")
    return value.item() if isinstance(value, np.generic) else value


def _unit_ids(value: Any, where: str, allow_single: bool) -> list[UnitId]:
    if allow_single and not isinstance(value, (list, tuple)):
        return [_unit_id(value, where)]
    if not isinstance(value, (list, tuple)) or not value:
        raise CurationError(f"{where} must be a non-empty list of unit ids, got {value!r}")
    return [_unit_id(v, where) for v in value]


def _label(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_LABEL_LENGTH:
        raise CurationError(
            f"{where} must be a non-empty string of at most {MAX_LABEL_LENGTH} characters, got {value!r}"
        )
    return value


def _id_sort_key(unit_id: UnitId) -> tuple:
    # ints before strings, so mixed ids still sort instead of raising TypeError
    return (isinstance(unit_id, str), unit_id)


def simplify_merge_groups(groups: Iterable[Sequence[UnitId]]) -> list[list[UnitId]]:
    """Join groups that share a unit (transitively), sort each group, drop groups of fewer than two units."""
    parent: dict[UnitId, UnitId] = {}

    def root(unit: UnitId) -> UnitId:
        while parent[unit] != unit:
            parent[unit] = parent[parent[unit]]
            unit = parent[unit]
        return unit

    for group in groups:
        group = list(group)
        for unit in group:
            parent.setdefault(unit, unit)
        for unit in group[1:]:
            parent[root(unit)] = root(group[0])
    joined: dict[UnitId, list[UnitId]] = {}
    for unit in parent:
        joined.setdefault(root(unit), []).append(unit)
    result = [sorted(g, key=_id_sort_key) for g in joined.values() if len(g) >= 2]
    return sorted(result, key=lambda g: _id_sort_key(g[0]))


# ---------------------------------------------------------------------- the state


def empty_curation(label_choices: Sequence[str] | None = None) -> dict:
    """A curation with no labels, no merges, open."""
    choices = list(DEFAULT_LABEL_CHOICES if label_choices is None else label_choices)
    return {"labelsByUnit": {}, "mergeGroups": [], "isClosed": False, "labelChoices": choices}


def normalize_curation(curation: Any) -> dict:
    """Check a curation in the sortingview format and return it in canonical form.

    Labels per unit are sorted and unique (units without labels are dropped), merge groups
    are simplified, ``isClosed`` defaults to false and ``labelChoices`` to the default choices.

    Raises
    ------
    CurationError
        For anything that is not a sortingview curation.
    """
    if not isinstance(curation, Mapping):
        raise CurationError(f"a curation must be a JSON object, got {type(curation).__name__}")
    unknown = set(curation) - {"labelsByUnit", "mergeGroups", "isClosed", "labelChoices"}
    if unknown:
        raise CurationError(f"a curation has no field(s) {', '.join(sorted(map(str, unknown)))}")
    labels_by_unit = curation.get("labelsByUnit") or {}
    if not isinstance(labels_by_unit, Mapping):
        raise CurationError("labelsByUnit must be an object {unitId: [labels]}")
    labels = {}
    for unit, unit_labels in labels_by_unit.items():
        if not isinstance(unit_labels, (list, tuple)):
            raise CurationError(f"labelsByUnit[{unit!r}] must be a list of labels, got {unit_labels!r}")
        cleaned = sorted({_label(label, f"labelsByUnit[{unit!r}]") for label in unit_labels})
        if cleaned:
            labels[str(unit)] = cleaned
    groups = curation.get("mergeGroups") or []
    if not isinstance(groups, (list, tuple)):
        raise CurationError("mergeGroups must be a list of lists of unit ids")
    merge_groups = simplify_merge_groups(_unit_ids(g, "mergeGroups[]", allow_single=False) for g in groups)
    is_closed = curation.get("isClosed", False)
    if not isinstance(is_closed, bool):
        raise CurationError(f"isClosed must be true or false, got {is_closed!r}")
    choices = curation.get("labelChoices")
    if choices is None:
        choices = list(DEFAULT_LABEL_CHOICES)
    elif not isinstance(choices, (list, tuple)):
        raise CurationError("labelChoices must be a list of labels")
    choices = list(dict.fromkeys(_label(c, "labelChoices[]") for c in choices))
    return {
        "labelsByUnit": dict(sorted(labels.items())),
        "mergeGroups": merge_groups,
        "isClosed": is_closed,
        "labelChoices": choices,
    }


def validate_action(action: Any) -> dict:
    """Check an action's type and fields and return it with its unit ids and labels checked.

    Raises
    ------
    CurationError
        For an unknown type, a missing or extra field, or a value of the wrong kind.
    """
    if not isinstance(action, Mapping):
        raise CurationError(f"an action must be a JSON object, got {type(action).__name__}")
    kind = action.get("type")
    if kind not in ACTION_TYPES:
        raise CurationError(f"unknown action type {kind!r}; one of {', '.join(ACTION_TYPES)}")
    fields = {
        "ADD_UNIT_LABEL": {"unitId", "label"},
        "REMOVE_UNIT_LABEL": {"unitId", "label"},
        "TOGGLE_UNIT_LABEL": {"unitId", "label"},
        "MERGE_UNITS": {"unitIds"},
        "UNMERGE_UNITS": {"unitIds"},
        "SET_CURATION": {"curation"},
        "CLOSE_CURATION": set(),
        "REOPEN_CURATION": set(),
        "SET_LABEL_CHOICES": {"labelChoices"},
    }[kind]
    given = set(action) - {"type"}
    if given != fields:
        missing, extra = fields - given, given - fields
        problems = [f"missing {', '.join(sorted(missing))}"] if missing else []
        problems += [f"unexpected {', '.join(sorted(map(str, extra)))}"] if extra else []
        expected = ", ".join(sorted(fields)) or "no fields"
        raise CurationError(f"{kind} takes {expected} ({'; '.join(problems)})")
    if kind in _LABEL_ACTIONS:
        unit_ids = _unit_ids(action["unitId"], f"{kind}.unitId", allow_single=True)
        return {"type": kind, "unitId": unit_ids, "label": _label(action["label"], f"{kind}.label")}
    if kind in ("MERGE_UNITS", "UNMERGE_UNITS"):
        unit_ids = _unit_ids(action["unitIds"], f"{kind}.unitIds", allow_single=False)
        if kind == "MERGE_UNITS" and len(set(unit_ids)) < 2:
            raise CurationError(f"MERGE_UNITS needs at least two different units, got {unit_ids!r}")
        return {"type": kind, "unitIds": unit_ids}
    if kind == "SET_CURATION":
        return {"type": kind, "curation": normalize_curation(action["curation"])}
    if kind == "SET_LABEL_CHOICES":
        choices = action["labelChoices"]
        if not isinstance(choices, (list, tuple)):
            raise CurationError("SET_LABEL_CHOICES.labelChoices must be a list of labels")
        return {"type": kind, "labelChoices": list(dict.fromkeys(_label(c, "labelChoices[]") for c in choices))}
    return {"type": kind}


def action_unit_ids(action: Mapping) -> list[UnitId]:
    """The unit ids an action names (for checking them against a sorting)."""
    if action["type"] in _LABEL_ACTIONS:
        return list(action["unitId"])
    if action["type"] in ("MERGE_UNITS", "UNMERGE_UNITS"):
        return list(action["unitIds"])
    if action["type"] == "SET_CURATION":
        curation = action["curation"]
        return [u for g in curation["mergeGroups"] for u in g]
    return []


def apply_action(state: Mapping, action: Mapping) -> dict:
    """The state after one action (a new dict; ``state`` is not changed).

    Unlike sortingview's page, which only warns, a closed curation refuses every action but
    ``REOPEN_CURATION`` (and ``CLOSE_CURATION``, which changes nothing): the runner's journal
    is the record, and a closed record should stay as it was closed.

    Raises
    ------
    CurationError
        For an invalid action or a change to a closed curation.
    """
    action = validate_action(action)
    state = copy.deepcopy(dict(state))
    kind = action["type"]
    if state.get("isClosed") and kind not in ("REOPEN_CURATION", "CLOSE_CURATION"):
        raise CurationError(f"the curation is closed; send REOPEN_CURATION before {kind}")
    labels = state.setdefault("labelsByUnit", {})
    if kind == "TOGGLE_UNIT_LABEL":
        # As sortingview: if every unit has the label, remove it from all; else add it to all.
        has_all = all(action["label"] in labels.get(str(u), []) for u in action["unitId"])
        kind = "REMOVE_UNIT_LABEL" if has_all else "ADD_UNIT_LABEL"
    if kind == "ADD_UNIT_LABEL":
        for unit in action["unitId"]:
            labels[str(unit)] = sorted(set(labels.get(str(unit), [])) | {action["label"]})
    elif kind == "REMOVE_UNIT_LABEL":
        for unit in action["unitId"]:
            remaining = [label for label in labels.get(str(unit), []) if label != action["label"]]
            if remaining:
                labels[str(unit)] = remaining
            else:
                labels.pop(str(unit), None)
    elif kind == "MERGE_UNITS":
        state["mergeGroups"] = simplify_merge_groups([*state.get("mergeGroups", []), action["unitIds"]])
    elif kind == "UNMERGE_UNITS":
        removed = set(action["unitIds"])
        groups = [[u for u in g if u not in removed] for g in state.get("mergeGroups", [])]
        state["mergeGroups"] = simplify_merge_groups(groups)
    elif kind == "SET_CURATION":
        return copy.deepcopy(action["curation"])
    elif kind == "CLOSE_CURATION":
        state["isClosed"] = True
    elif kind == "REOPEN_CURATION":
        state["isClosed"] = False
    elif kind == "SET_LABEL_CHOICES":
        state["labelChoices"] = action["labelChoices"]
    return normalize_curation(state)


def replay(actions: Iterable[Mapping], initial: Mapping | None = None) -> dict:
    """The state after applying ``actions`` in order to ``initial`` (default: an empty curation)."""
    state = normalize_curation(initial) if initial is not None else empty_curation()
    for action in actions:
        state = apply_action(state, action)
    return state


# ---------------------------------------------------------------------- exports


def to_sortingview_json(state: Mapping) -> dict:
    """The curation as sortingview JSON, what the page's *Export JSON* downloads.

    Notes
    -----
    SpikeInterface 0.105's reader of this format, ``apply_sortingview_curation``, reads it
    only when the sorting's unit ids are integers: it casts digit-string ids (SpikeInterface's
    default ``"0"``, ``"1"``, ...) to ``int`` and finds them missing. It also fails on a
    curation with no labels at all (it reads the first key of ``labelsByUnit``) and on one
    using a single distinct label (its label definition needs two options). None of these can
    be avoided in sortingview's format; :func:`to_spikeinterface_curation` with
    ``apply_curation`` has none of them.
    """
    return normalize_curation(state)


def to_spikeinterface_curation(state: Mapping, unit_ids: Sequence) -> dict:
    """The curation in SpikeInterface's curation format (version 2), for ``spikeinterface.curation.apply_curation``.

    Parameters
    ----------
    state : Mapping
        A sortingview curation.
    unit_ids : sequence
        The sorting's unit ids (labels are keyed by ``str(unit_id)`` in the state).

    Returns
    -------
    dict
        ``{format_version: "2", unit_ids, label_definitions, manual_labels, merges, removed, splits}``.
        Labels go in one non-exclusive category, ``all_labels``, whose options are the label
        choices plus any other label used; merges keep SpikeInterface's default new ids.

    Raises
    ------
    CurationError
        When the curation names a unit that is not in ``unit_ids``.
    """
    state = normalize_curation(state)
    ids = [u.item() if isinstance(u, np.generic) else u for u in unit_ids]
    by_text = {str(u): u for u in ids}
    used = sorted({label for labels in state["labelsByUnit"].values() for label in labels})
    options = list(dict.fromkeys([*state["labelChoices"], *used]))
    # SpikeInterface wants at least two options per category; pad with the default choices.
    for choice in DEFAULT_LABEL_CHOICES:
        if len(options) >= 2:
            break
        if choice not in options:
            options.append(choice)
    manual_labels = []
    for unit_text, labels in state["labelsByUnit"].items():
        if unit_text not in by_text:
            raise CurationError(f"the curation labels unit {unit_text!r}, which is not in the sorting's unit ids")
        manual_labels.append({"unit_id": by_text[unit_text], "labels": {SPIKEINTERFACE_LABEL_CATEGORY: labels}})
    merges = []
    for group in state["mergeGroups"]:
        members = []
        for unit in group:
            if str(unit) not in by_text:
                raise CurationError(f"the curation merges unit {unit!r}, which is not in the sorting's unit ids")
            members.append(by_text[str(unit)])
        merges.append({"unit_ids": members})
    return {
        "format_version": "2",
        "unit_ids": ids,
        "label_definitions": {SPIKEINTERFACE_LABEL_CATEGORY: {"label_options": options, "exclusive": False}},
        "manual_labels": manual_labels,
        "merges": merges,
        "removed": [],
        "splits": [],
    }
