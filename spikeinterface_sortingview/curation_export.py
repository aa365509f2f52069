"""Curations in and out: sortingview JSON, and SpikeInterface's curation format (version 2) both ways.

The export follows docs/curation.md, "SpikeInterface curation format (version 2)": one ``Curation`` dict when
one step expresses the curation, else a list of steps (SpikeInterface's ``SequentialCuration``), which
``spikeinterface.curation.apply_curation`` applies in order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .curation_state import (
    apply_action,
    merged_labels,
    normalize_curation,
    normalize_label_definitions,
)
from .curation_units import CurationError, DisplayUnit, UnitId, UnitLayout, unit_layout
from .views.curation import DEFAULT_LABEL_CHOICES

# The label category of SpikeInterface's own conversion of sortingview curations, so that an
# export and apply_sortingview_curation give the same sorting properties.
SPIKEINTERFACE_LABEL_CATEGORY = "all_labels"


def to_sortingview_json(state: Mapping) -> dict:
    """The curation as sortingview JSON, what the page's *Export JSON* downloads.

    Notes
    -----
    SpikeInterface 0.105's reader of this format, ``apply_sortingview_curation``, reads it
    only when the sorting's unit ids are integers: it casts digit-string ids (SpikeInterface's
    default ``"0"``, ``"1"``, ...) to ``int`` and finds them missing. It also fails on a
    curation with no labels at all (it reads the first key of ``labelsByUnit``) and on one
    using a single distinct label (its label definition needs two options), and it ignores
    splits and removals. :func:`to_spikeinterface_curation` with ``apply_curation`` has none of these limits.
    """
    return normalize_curation(state)


# ---------------------------------------------------------------------- export to version 2


class _NewIds:
    """New unit ids as SpikeInterface would write them: the next integers (as ints or digit strings), or names."""

    def __init__(self, unit_ids: Sequence[UnitId]) -> None:
        self.existing = {str(u) for u in unit_ids}
        self.ints = all(isinstance(u, int) for u in unit_ids)
        self.digits = all(isinstance(u, str) and u.isdigit() for u in unit_ids)
        numbers = [int(u) for u in unit_ids] if (self.ints or self.digits) and unit_ids else [-1]
        self.next = max(numbers) + 1

    def new(self, display_key: str) -> UnitId:
        if self.ints or self.digits:
            value = self.next
            self.next += 1
            return value if self.ints else str(value)
        if display_key in self.existing:
            raise CurationError(
                f"the curated unit {display_key!r} has the id of a unit of the sorting; rename that unit"
            )
        return display_key


def _label_definitions(state: Mapping) -> dict:
    definitions = {k: dict(v) for k, v in state.get("labelDefinitions", {}).items()}
    owned = {o for d in definitions.values() for o in d["label_options"]}
    used = sorted({label for labels in state["labelsByUnit"].values() for label in labels})
    choices = state["labelChoices"] if not definitions else []
    others = [x for x in dict.fromkeys([*choices, *used]) if x not in owned]
    if others:
        # SpikeInterface wants at least two options per category; pad with unused default choices.
        for choice in [*DEFAULT_LABEL_CHOICES, "other"]:
            if len(others) >= 2:
                break
            if choice not in others and choice not in owned:
                others.append(choice)
        definitions[SPIKEINTERFACE_LABEL_CATEGORY] = {"label_options": others, "exclusive": False}
    return definitions


def _manual_label(unit_id: UnitId, labels: Sequence[str], definitions: Mapping) -> dict | None:
    by_category: dict[str, list[str]] = {}
    for label in labels:
        category = next(k for k, d in definitions.items() if label in d["label_options"])
        by_category.setdefault(category, []).append(label)
    return {"unit_id": unit_id, "labels": by_category} if by_category else None


def _step(unit_ids: list, definitions: dict | None = None, manual_labels: list | None = None) -> dict:
    return {
        "format_version": "2",
        "unit_ids": unit_ids,
        "label_definitions": definitions or {},
        "manual_labels": manual_labels or [],
        "merges": [],
        "removed": [],
        "splits": [],
    }


def _check_known(layout: UnitLayout, state: Mapping, by_text: Mapping[str, UnitId]) -> None:
    def known(text: str) -> bool:
        return text in by_text or text in layout.parts or text in layout.groups

    for unit_text in state["labelsByUnit"]:
        if not known(unit_text):
            raise CurationError(f"the curation labels unit {unit_text!r}, which is not in the sorting's unit ids")
    for group in state["mergeGroups"]:
        for unit in group:
            if str(unit) not in by_text:
                raise CurationError(f"the curation merges unit {unit!r}, which is not in the sorting's unit ids")
    for split in state.get("splits", []):
        if not known(str(split["unitId"])):
            raise CurationError(f"the curation splits unit {split['unitId']!r}, which is not in the sorting's unit ids")
    for name in state.get("removedUnits", []):
        if not known(str(name)):
            raise CurationError(f"the curation removes unit {name!r}, which is not in the sorting's unit ids")


def to_spikeinterface_curation(state: Mapping, unit_ids: Sequence) -> dict | list[dict]:
    """The curation in SpikeInterface's curation format (version 2), for ``spikeinterface.curation.apply_curation``.

    Parameters
    ----------
    state : Mapping
        A sortingview curation (with splits and removals, docs/curation.md).
    unit_ids : sequence
        The sorting's unit ids (labels are keyed by ``str(unit_id)`` in the state).

    Returns
    -------
    dict | list of dict
        ``{format_version: "2", unit_ids, label_definitions, manual_labels, merges, removed, splits}``; merged
        units and split parts get explicit new ids (the next integers, or for other string ids their display
        ids "3+7", "7.1"). A list of such dicts (applied in order) when one step cannot say it: a split merged
        unit, a removed part, or a part whose labels differ from those of the unit it came from.

    Raises
    ------
    CurationError
        When the curation names a unit that is not in ``unit_ids``.
    """
    state = normalize_curation(state)
    ids = [u.item() if isinstance(u, np.generic) else u for u in unit_ids]
    by_text = {str(u): u for u in ids}
    layout = unit_layout(state)
    _check_known(layout, state, by_text)
    definitions = _label_definitions(state)
    new_ids = _NewIds(ids)

    removed_groups = {key for key in layout.groups if key in layout.removed}
    removed = [by_text[k] for k in sorted(layout.removed) if k in by_text]
    removed += [m for key in removed_groups for m in layout.groups[key]]
    final_id: dict[str, UnitId] = {}  # display key -> id after the curation
    merges = []
    for key, members in layout.groups.items():
        if key in removed_groups:
            continue
        final_id[key] = new_ids.new(key)
        merges.append({"unit_ids": [by_text[str(m)] for m in members], "new_unit_id": final_id[key]})
    leaves: dict[str, list[DisplayUnit]] = {}
    for part in layout.current_parts():
        leaves.setdefault(part.source, []).append(part)
    splits_by_source = {}
    for source, parts in leaves.items():
        ordered = [p for p in parts if p.selection.mode == "take"] + [p for p in parts if p.selection.mode == "drop"]
        for part in ordered:
            final_id[part.key] = new_ids.new(part.key)
        splits_by_source[source] = {
            "mode": "indices",
            "indices": [list(p.selection.positions) for p in ordered if p.selection.mode == "take"],
            "new_unit_ids": [final_id[p.key] for p in ordered],
        }

    def source_labels(part: DisplayUnit) -> list[str]:
        if part.source in layout.groups:
            return merged_labels(state, layout.groups[part.source])
        return state["labelsByUnit"].get(part.source, [])

    parts = layout.current_parts()
    group_splits = [s for s in splits_by_source if s in layout.groups]
    removed_parts = [k for k in layout.removed if k in layout.parts]
    relabelled = [p for p in parts if state["labelsByUnit"].get(p.key, []) != source_labels(p)]
    one_step = not (group_splits or removed_parts or relabelled)

    first = _step(ids, definitions if one_step else None)
    first["removed"] = removed
    first["merges"] = merges if not one_step else [{**m} for m in merges]
    first["splits"] = [{"unit_id": by_text[s], **v} for s, v in splits_by_source.items() if s not in layout.groups]
    if one_step:
        for unit_text, labels in state["labelsByUnit"].items():
            if unit_text in by_text:
                label = _manual_label(by_text[unit_text], labels, definitions)
                if label is not None:
                    first["manual_labels"].append(label)
        return first

    steps = [first]
    current = _ids_after(ids, first)
    if group_splits:
        second = _step(current)
        second["splits"] = [{"unit_id": final_id[s], **splits_by_source[s]} for s in group_splits]
        steps.append(second)
        current = _ids_after(current, second)
    last = _step(current, definitions)
    for unit in current:
        key = next((k for k, v in final_id.items() if v == unit), str(unit))
        if key in layout.groups:
            labels = merged_labels(state, layout.groups[key])
        else:
            labels = state["labelsByUnit"].get(key, [])
        label = _manual_label(unit, labels, definitions)
        if label is not None:
            last["manual_labels"].append(label)
    last["removed"] = [final_id[k] for k in removed_parts]
    steps.append(last)
    return steps


def _ids_after(unit_ids: list, step: Mapping) -> list:
    """The unit ids after one step whose merges and splits all have new ids."""
    gone = set(map(str, step["removed"]))
    gone |= {str(u) for m in step["merges"] for u in m["unit_ids"]}
    gone |= {str(s["unit_id"]) for s in step["splits"]}
    out = [u for u in unit_ids if str(u) not in gone]
    out += [m["new_unit_id"] for m in step["merges"]]
    out += [u for s in step["splits"] for u in s["new_unit_ids"]]
    return out


# ---------------------------------------------------------------------- import


def _split_groups(split: Mapping, where: str) -> list[list[int]]:
    mode = split.get("mode", "indices")
    if mode == "indices":
        groups = [sorted(int(i) for i in g) for g in split.get("indices") or []]
    elif mode == "labels":
        labels = np.asarray(split.get("labels") or [])
        groups = [np.flatnonzero(labels == value).tolist() for value in np.unique(labels)]
    else:
        raise CurationError(f"{where}: mode must be 'indices' or 'labels', got {mode!r}")
    seen: set[int] = set()
    for g in groups:
        if seen & set(g):
            raise CurationError(f"{where}: the split's parts overlap (spike {min(seen & set(g))} is in two parts)")
        seen |= set(g)
    if not groups or not all(groups):
        raise CurationError(f"{where}: a split needs non-empty lists of spike indices")
    return groups


def from_spikeinterface_curation(curation: Mapping, num_spikes: Mapping | None = None) -> dict:
    """A sortingview curation (docs/curation.md) from a SpikeInterface curation dict (format 1 or 2).

    Parameters
    ----------
    curation : Mapping
        The curation, as ``spikeinterface.curation.curation_model.Curation`` reads it.
    num_spikes : Mapping | None
        Spikes per unit (``sorting.count_num_spikes_per_unit()``): a split whose lists hold every spike of
        its unit then makes as many parts as lists; without it, spikes outside the lists are one more part.

    Raises
    ------
    CurationError
        For a curation SpikeInterface refuses (the message says why) or one that cannot be continued here.
    """
    from spikeinterface.curation.curation_model import Curation  # SpikeInterface's own check of the format

    try:
        model = Curation(**curation)
    except ValueError as error:
        raise CurationError(f"not a valid SpikeInterface curation: {error}") from error
    for merge in model.merges:
        if len({str(u) for u in merge.unit_ids}) < len(merge.unit_ids):
            raise CurationError(f"merges: {list(merge.unit_ids)} merges a unit with itself; list each unit once")
    definitions = {
        name: {"label_options": list(d.label_options), "exclusive": d.exclusive}
        for name, d in model.label_definitions.items()
    }
    labels: dict[str, list[str]] = {}
    for manual in model.manual_labels:
        for values in manual.labels.values():
            labels.setdefault(str(manual.unit_id), []).extend(values)
    state: dict[str, Any] = {"labelsByUnit": labels, "mergeGroups": [list(m.unit_ids) for m in model.merges]}
    if definitions:
        try:
            state["labelDefinitions"] = normalize_label_definitions(definitions)
        except CurationError:
            # Categories sharing an option cannot be told apart in one list of labels: keep them as choices.
            state["labelChoices"] = list(dict.fromkeys(o for d in definitions.values() for o in d["label_options"]))
    state = normalize_curation(state)
    for number, split in enumerate(model.splits):
        where = f"splits[{number}] (unit {split.unit_id!r})"
        groups = _split_groups(split.model_dump(), where)
        total = num_spikes.get(split.unit_id) if num_spikes is not None else None
        if total is not None and max(max(g) for g in groups) >= total:
            raise CurationError(f"{where}: unit {split.unit_id!r} has {total} spikes, the split names more")
        covers_all = total is not None and sum(len(g) for g in groups) == total
        state = _apply_split_groups(state, split.unit_id, groups[:-1] if covers_all else groups)
    if model.removed:
        state = apply_action(state, {"type": "REMOVE_UNITS", "unitIds": list(model.removed)})
    return state


def _apply_split_groups(state: dict, unit_id: UnitId, groups: list[list[int]]) -> dict:
    """Split ``unit_id`` into the listed groups (positions in its train) and the rest, one SPLIT_UNIT each."""
    rest_name: UnitId = unit_id
    taken: list[int] = []  # positions already split off, sorted
    for group in groups:
        # positions of this group among the spikes not yet split off
        positions = [int(v - np.searchsorted(taken, v)) for v in group]
        state = apply_action(state, {"type": "SPLIT_UNIT", "unitId": rest_name, "indices": positions})
        part = unit_layout(state).split_away[str(rest_name)]
        rest_name = part[1]
        taken = sorted([*taken, *group])
    return state


def curation_from_dict(curation: Mapping, num_spikes: Mapping | None = None) -> dict:
    """A sortingview curation from either format: SpikeInterface's (it has ``format_version``) or sortingview's."""
    if isinstance(curation, (list, tuple)):
        raise CurationError(
            "a list of curation steps (SpikeInterface's sequential curation) cannot be continued here; "
            "pass the page's sortingview JSON export (sorting_curation.json) or its saved sha1:// URI"
        )
    if not isinstance(curation, Mapping):
        raise CurationError(f"a curation must be a JSON object, got {type(curation).__name__}")
    if "format_version" in curation or "manual_labels" in curation:
        return from_spikeinterface_curation(curation, num_spikes)
    return normalize_curation(curation)
