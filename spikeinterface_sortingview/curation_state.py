"""The curation state in sortingview's format (extended with splits, removals and label definitions), its
actions and a pure reducer (docs/curation.md).

:func:`apply_action` returns a new state and never changes its input; ``curation_history.py`` adds
``UNDO``/``REDO``, so a journal of actions (undos included) replays to the same state anywhere.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from .curation_units import (
    CurationError,
    DisplayUnit,
    UnitId,
    UnitLayout,
    group_key,
    id_sort_key,
    part_keys,
    unit_id_value,
    unit_layout,
)
from .views.curation import DEFAULT_LABEL_CHOICES

ACTION_TYPES = (
    "ADD_UNIT_LABEL",
    "REMOVE_UNIT_LABEL",
    "TOGGLE_UNIT_LABEL",
    "MERGE_UNITS",
    "UNMERGE_UNITS",
    "SPLIT_UNIT",
    "REMOVE_UNITS",
    "RESTORE_UNITS",
    "SET_CURATION",
    "CLOSE_CURATION",
    "REOPEN_CURATION",
    # Sent by newer sortingview pages when the curator adds a label choice.
    "SET_LABEL_CHOICES",
    "SET_LABEL_DEFINITIONS",
    # Walk the history; they are journal lines like any other action.
    "UNDO",
    "REDO",
)
ACTION_FIELDS = {
    "ADD_UNIT_LABEL": {"unitId", "label"},
    "REMOVE_UNIT_LABEL": {"unitId", "label"},
    "TOGGLE_UNIT_LABEL": {"unitId", "label"},
    "MERGE_UNITS": {"unitIds"},
    "UNMERGE_UNITS": {"unitIds"},
    "SPLIT_UNIT": {"unitId", "indices"},
    "REMOVE_UNITS": {"unitIds"},
    "RESTORE_UNITS": {"unitIds"},
    "SET_CURATION": {"curation"},
    "CLOSE_CURATION": set(),
    "REOPEN_CURATION": set(),
    "SET_LABEL_CHOICES": {"labelChoices"},
    "SET_LABEL_DEFINITIONS": {"labelDefinitions"},
    "UNDO": set(),
    "REDO": set(),
}
_LABEL_ACTIONS = ("ADD_UNIT_LABEL", "REMOVE_UNIT_LABEL", "TOGGLE_UNIT_LABEL")
CURATION_FIELDS = (
    "labelsByUnit",
    "mergeGroups",
    "isClosed",
    "labelChoices",
    "labelDefinitions",
    "removedUnits",
    "splits",
)
MAX_LABEL_LENGTH = 100


# ---------------------------------------------------------------------- values


def _unit_ids(value: Any, where: str, allow_single: bool) -> list[UnitId]:
    if allow_single and not isinstance(value, (list, tuple)):
        return [unit_id_value(value, where)]
    if not isinstance(value, (list, tuple)) or not value:
        raise CurationError(f"{where} must be a non-empty list of unit ids, got {value!r}")
    return [unit_id_value(v, where) for v in value]


def _label(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_LABEL_LENGTH:
        raise CurationError(
            f"{where} must be a non-empty string of at most {MAX_LABEL_LENGTH} characters, got {value!r}"
        )
    return value


def _indices(value: Any, where: str) -> list[int]:
    """Spike positions: a non-empty, strictly increasing list of ints >= 0."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if not isinstance(value, (list, tuple)) or not value:
        raise CurationError(f"{where} must be a non-empty list of spike indices, got {type(value).__name__}")
    out = []
    for i in value:
        if isinstance(i, (bool, np.bool_)) or not isinstance(i, (int, np.integer)) or i < 0:
            raise CurationError(f"{where} holds {i!r}; spike indices are ints >= 0")
        out.append(int(i))
    if any(b <= a for a, b in zip(out, out[1:], strict=False)):
        raise CurationError(f"{where} must be sorted without repeats (positions in the unit's spike train)")
    return out


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
    result = [sorted(g, key=id_sort_key) for g in joined.values() if len(g) >= 2]
    return sorted(result, key=lambda g: id_sort_key(g[0]))


def normalize_label_definitions(value: Any) -> dict:
    """Check SpikeInterface-style label definitions ``{category: {label_options, exclusive}}``.

    A label belongs to at most one category, so a unit's labels (one flat list) say their category.
    """
    if not isinstance(value, Mapping):
        raise CurationError("labelDefinitions must be an object {category: {label_options: [...], exclusive: bool}}")
    out = {}
    owner: dict[str, str] = {}
    for name, definition in value.items():
        name = _label(name, "labelDefinitions key")
        if not isinstance(definition, Mapping) or set(definition) - {"name", "label_options", "exclusive"}:
            raise CurationError(f"labelDefinitions[{name!r}] must be {{label_options: [...], exclusive: bool}}")
        options = definition.get("label_options")
        exclusive = definition.get("exclusive", False)
        if not isinstance(options, (list, tuple)) or len(options) < 2:
            raise CurationError(f"labelDefinitions[{name!r}].label_options must list at least two labels")
        if not isinstance(exclusive, bool):
            raise CurationError(f"labelDefinitions[{name!r}].exclusive must be true or false")
        options = list(dict.fromkeys(_label(o, f"labelDefinitions[{name!r}].label_options[]") for o in options))
        for option in options:
            if option in owner:
                raise CurationError(f"label {option!r} is in two categories, {owner[option]!r} and {name!r}")
            owner[option] = name
        out[name] = {"label_options": options, "exclusive": exclusive}
    return out


def _split_record(value: Any, number: int) -> dict:
    if not isinstance(value, Mapping) or set(value) != {"unitId", "indices"}:
        raise CurationError(f"splits[{number}] must be {{unitId, indices}}, got {value!r}")
    unit = unit_id_value(value["unitId"], f"splits[{number}].unitId")
    return {"unitId": unit, "indices": _indices(value["indices"], f"splits[{number}].indices")}


# ---------------------------------------------------------------------- the state


def empty_curation(label_choices: Sequence[str] | None = None) -> dict:
    """A curation with no labels, no merges, open."""
    choices = list(DEFAULT_LABEL_CHOICES if label_choices is None else label_choices)
    return {"labelsByUnit": {}, "mergeGroups": [], "isClosed": False, "labelChoices": choices}


def normalize_curation(curation: Any) -> dict:
    """Check a curation in the sortingview format and return it in canonical form.

    Labels per unit are sorted and unique (units without labels are dropped), merge groups are simplified,
    ``isClosed`` defaults to false and ``labelChoices`` to the default choices (or, with label definitions,
    their options). ``labelDefinitions``, ``removedUnits`` and ``splits`` are written only when not empty.

    Raises
    ------
    CurationError
        For anything that is not a sortingview curation, or splits and removals that do not fit its units.
    """
    if not isinstance(curation, Mapping):
        raise CurationError(f"a curation must be a JSON object, got {type(curation).__name__}")
    unknown = set(curation) - set(CURATION_FIELDS)
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
    definitions = curation.get("labelDefinitions")
    definitions = normalize_label_definitions(definitions) if definitions else {}
    choices = curation.get("labelChoices")
    if choices is None:
        options = [o for d in definitions.values() for o in d["label_options"]]
        choices = options or list(DEFAULT_LABEL_CHOICES)
    elif not isinstance(choices, (list, tuple)):
        raise CurationError("labelChoices must be a list of labels")
    choices = list(dict.fromkeys(_label(c, "labelChoices[]") for c in choices))
    splits = curation.get("splits") or []
    if not isinstance(splits, (list, tuple)):
        raise CurationError("splits must be a list of {unitId, indices}")
    removed = curation.get("removedUnits") or []
    if not isinstance(removed, (list, tuple)):
        raise CurationError("removedUnits must be a list of unit ids")
    state = {
        "labelsByUnit": dict(sorted(labels.items())),
        "mergeGroups": merge_groups,
        "isClosed": is_closed,
        "labelChoices": choices,
    }
    if definitions:
        state["labelDefinitions"] = definitions
    if splits:
        state["splits"] = [_split_record(s, n) for n, s in enumerate(splits)]
    if removed:
        state["removedUnits"] = [unit_id_value(u, "removedUnits[]") for u in removed]
    layout = unit_layout(state)  # checks that the splits and removals name units that exist
    if removed:
        names = {layout.resolve(u, "removedUnits[]", member_means_group=True).name for u in state["removedUnits"]}
        state["removedUnits"] = sorted(names, key=id_sort_key)
    return state


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
    fields = ACTION_FIELDS[kind]
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
    if kind in ("MERGE_UNITS", "UNMERGE_UNITS", "REMOVE_UNITS", "RESTORE_UNITS"):
        unit_ids = _unit_ids(action["unitIds"], f"{kind}.unitIds", allow_single=False)
        if kind == "MERGE_UNITS" and len({str(u) for u in unit_ids}) < 2:
            raise CurationError(f"MERGE_UNITS needs at least two different units, got {unit_ids!r}")
        return {"type": kind, "unitIds": unit_ids}
    if kind == "SPLIT_UNIT":
        unit = unit_id_value(action["unitId"], "SPLIT_UNIT.unitId")
        return {"type": kind, "unitId": unit, "indices": _indices(action["indices"], "SPLIT_UNIT.indices")}
    if kind == "SET_CURATION":
        return {"type": kind, "curation": normalize_curation(action["curation"])}
    if kind == "SET_LABEL_CHOICES":
        choices = action["labelChoices"]
        if not isinstance(choices, (list, tuple)):
            raise CurationError("SET_LABEL_CHOICES.labelChoices must be a list of labels")
        return {"type": kind, "labelChoices": list(dict.fromkeys(_label(c, "labelChoices[]") for c in choices))}
    if kind == "SET_LABEL_DEFINITIONS":
        return {"type": kind, "labelDefinitions": normalize_label_definitions(action["labelDefinitions"])}
    return {"type": kind}


def action_unit_ids(action: Mapping) -> list[UnitId]:
    """The original unit ids an action names (for checking them against a sorting); parts and groups skipped."""
    if action["type"] in _LABEL_ACTIONS:
        names = list(action["unitId"])
    elif action["type"] in ("MERGE_UNITS", "UNMERGE_UNITS", "REMOVE_UNITS", "RESTORE_UNITS"):
        names = list(action["unitIds"])
    elif action["type"] == "SPLIT_UNIT":
        names = [action["unitId"]]
    elif action["type"] == "SET_CURATION":
        curation = action["curation"]
        names = [u for g in curation["mergeGroups"] for u in g]
    else:
        return []
    return [u for u in names if not _is_derived_name(u)]


def _is_derived_name(name: UnitId) -> bool:
    # "3+7" names a merge group and "7.1" or "(3+7).2" a part: neither is a unit of the sorting
    return isinstance(name, str) and ("+" in name or (name[-2:-1] == "." and name[-1:] in ("1", "2")))


def merged_labels(state: Mapping, members: Sequence[UnitId]) -> list[str]:
    """A merge group's labels, as SpikeInterface gives them to a merged unit.

    Every label of a member, except in an exclusive category whose members do not all agree.
    """
    lists = [state["labelsByUnit"].get(str(m), []) for m in members]
    union = sorted({label for labels in lists for label in labels})
    for definition in state.get("labelDefinitions", {}).values():
        if definition["exclusive"]:
            chosen = [[x for x in labels if x in definition["label_options"]] for labels in lists]
            if any(c != chosen[0] for c in chosen):
                union = [x for x in union if x not in definition["label_options"]]
    return union


def display_labels(state: Mapping, unit: DisplayUnit) -> list[str]:
    """The labels the page shows for a display unit."""
    if unit.kind == "merged":
        return merged_labels(state, unit.members)
    return list(state["labelsByUnit"].get(unit.key, []))


def _add_label(state: dict, unit_text: str, label: str) -> None:
    labels = set(state["labelsByUnit"].get(unit_text, []))
    for definition in state.get("labelDefinitions", {}).values():
        # An exclusive category holds one label per unit: the new one replaces the others.
        if definition["exclusive"] and label in definition["label_options"]:
            labels -= set(definition["label_options"])
    state["labelsByUnit"][unit_text] = sorted(labels | {label})


def _apply_split(state: dict, layout: UnitLayout, action: Mapping) -> None:
    unit = layout.resolve(action["unitId"], "SPLIT_UNIT.unitId")
    if layout.is_removed(unit):
        raise CurationError(f"SPLIT_UNIT: unit {unit.key} is removed; restore it first")
    record = {"unitId": unit.name, "indices": list(action["indices"])}
    trial = {**state, "splits": [*state.get("splits", []), record]}
    unit_layout(trial)  # the indices fit the unit (when its spike count is known here)
    state["splits"] = trial["splits"]
    labels = display_labels(state, unit)
    for key in part_keys(unit):
        if labels:
            state["labelsByUnit"][key] = labels  # a part starts with the labels of the unit it came from


def _check_mergeable(layout: UnitLayout, names: Sequence[UnitId], kind: str) -> list[UnitId]:
    members: list[UnitId] = []
    for name in names:
        unit = layout.resolve(name, f"{kind}.unitIds", member_means_group=True)
        if unit.kind == "part":
            raise CurationError(f"{kind}: unit {unit.key} is a part of a split unit; undo the split to merge it")
        if layout.is_removed(unit):
            raise CurationError(f"{kind}: unit {unit.key} is removed; restore it first")
        members.extend(unit.members if kind == "MERGE_UNITS" else [name])
    return members


def apply_action(state: Mapping, action: Mapping) -> dict:
    """The state after one action (a new dict; ``state`` is not changed).

    Unlike sortingview's page, which only warns, a closed curation refuses every action but
    ``REOPEN_CURATION`` (and ``CLOSE_CURATION``, which changes nothing): the runner's journal
    is the record, and a closed record should stay as it was closed. ``UNDO`` and ``REDO`` need the
    history: use ``curation_history.CurationHistory`` (or ``replay``).

    Raises
    ------
    CurationError
        For an invalid action, one naming units that do not exist (split away, removed), or a change to a
        closed curation.
    """
    action = validate_action(action)
    kind = action["type"]
    if kind in ("UNDO", "REDO"):
        raise CurationError(f"{kind} needs the history of actions: use CurationHistory or replay")
    state = copy.deepcopy(dict(state))
    if state.get("isClosed") and kind not in ("REOPEN_CURATION", "CLOSE_CURATION"):
        raise CurationError(f"the curation is closed; send REOPEN_CURATION before {kind}")
    labels = state.setdefault("labelsByUnit", {})
    if kind == "TOGGLE_UNIT_LABEL":
        # As sortingview: if every unit has the label, remove it from all; else add it to all.
        has_all = all(action["label"] in labels.get(str(u), []) for u in action["unitId"])
        kind = "REMOVE_UNIT_LABEL" if has_all else "ADD_UNIT_LABEL"
    layout = unit_layout(state)
    if kind == "ADD_UNIT_LABEL":
        for unit in action["unitId"]:
            _add_label(state, str(unit), action["label"])
    elif kind == "REMOVE_UNIT_LABEL":
        for unit in action["unitId"]:
            remaining = [label for label in labels.get(str(unit), []) if label != action["label"]]
            if remaining:
                labels[str(unit)] = remaining
            else:
                labels.pop(str(unit), None)
    elif kind == "MERGE_UNITS":
        members = _check_mergeable(layout, action["unitIds"], kind)
        state["mergeGroups"] = simplify_merge_groups([*state.get("mergeGroups", []), members])
    elif kind == "UNMERGE_UNITS":
        _check_mergeable(layout, action["unitIds"], kind)
        removed = {str(u) for u in action["unitIds"]}
        groups = [[u for u in g if str(u) not in removed] for g in state.get("mergeGroups", [])]
        state["mergeGroups"] = simplify_merge_groups(groups)
    elif kind == "SPLIT_UNIT":
        _apply_split(state, layout, action)
    elif kind in ("REMOVE_UNITS", "RESTORE_UNITS"):
        names = {str(u): u for u in state.get("removedUnits", [])}
        for name in action["unitIds"]:
            unit = layout.resolve(name, f"{kind}.unitIds", member_means_group=True)
            if kind == "RESTORE_UNITS" and unit.key not in names:
                raise CurationError(f"RESTORE_UNITS: unit {unit.key} is not removed")
            if kind == "REMOVE_UNITS":
                names[unit.key] = unit.name
            else:
                names.pop(unit.key)
        state["removedUnits"] = list(names.values())
    elif kind == "SET_CURATION":
        return copy.deepcopy(action["curation"])
    elif kind == "CLOSE_CURATION":
        state["isClosed"] = True
    elif kind == "REOPEN_CURATION":
        state["isClosed"] = False
    elif kind == "SET_LABEL_CHOICES":
        state["labelChoices"] = action["labelChoices"]
    elif kind == "SET_LABEL_DEFINITIONS":
        state["labelDefinitions"] = action["labelDefinitions"]
    return normalize_curation(state)


__all__ = [
    "ACTION_TYPES",
    "action_unit_ids",
    "apply_action",
    "display_labels",
    "empty_curation",
    "group_key",
    "merged_labels",
    "normalize_curation",
    "normalize_label_definitions",
    "simplify_merge_groups",
    "validate_action",
]
