"""Units as a curation shows them: original units, merge groups ("3+7") and the parts of split units ("7.1").

A split is stored symbolically, as the unit it split and the positions of one part's spikes in that unit's
spike train in time order (docs/curation.md). The parts of a unit are described without the spike trains:
each is a *selection* of positions in its *source*'s train (an original unit, or a merge group's time-sorted
union of trains), either the listed positions (``take``) or all positions but the listed ones (``drop``).
Splitting a part again composes the selections, so any sequence of splits stays one selection per part.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

UnitId = int | str


class CurationError(ValueError):
    """An action or a curation that is malformed or not allowed in the current state."""


def unit_id_value(value: Any, where: str) -> UnitId:
    """An int or str unit id (numpy scalars unwrapped), else CurationError."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, str, np.integer, np.str_)):
        raise CurationError(f"{where}: unit ids are ints or strings, got {value!r}")
    return value.item() if isinstance(value, np.generic) else value


def id_sort_key(unit_id: UnitId) -> tuple:
    """Ints before strings, strings in natural order ("u2" before "u10"), as the viewer sorts them."""
    if isinstance(unit_id, str):
        return (1, [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", unit_id) if p])
    return (0, unit_id)


def group_key(members: Sequence[UnitId]) -> str:
    """The display id of a merge group: its members in canonical order joined by "+"."""
    return "+".join(str(u) for u in sorted(members, key=id_sort_key))


# ---------------------------------------------------------------------- selections


@dataclass(frozen=True)
class Selection:
    """Positions in a source's spike train: all of them, the listed ones (take), or all but the listed (drop)."""

    mode: str  # "all", "take" or "drop"
    positions: tuple[int, ...] = ()

    def to_json(self) -> dict:
        return {"mode": self.mode, "positions": list(self.positions)}


ALL = Selection("all")


def _nth_kept(dropped: Sequence[int], wanted: Sequence[int]) -> list[int]:
    """Source positions of the ``wanted`` (sorted) positions among those not in ``dropped`` (sorted)."""
    out = []
    j = 0
    for p in wanted:
        value = p + j
        while j < len(dropped) and dropped[j] <= value:
            j += 1
            value = p + j
        out.append(value)
    return out


def split_selection(selection: Selection, indices: Sequence[int], unit: str) -> tuple[Selection, Selection]:
    """The two parts of a unit split by ``indices`` (sorted positions in the unit's own train).

    Raises
    ------
    CurationError
        When an index is past the unit's spikes (known only for a part given by its list) or the split
        leaves a part without spikes.
    """
    if selection.mode == "all":
        return Selection("take", tuple(indices)), Selection("drop", tuple(indices))
    if selection.mode == "take":
        listed = selection.positions
        if indices[-1] >= len(listed):
            raise CurationError(f"SPLIT_UNIT: unit {unit} has {len(listed)} spikes, index {indices[-1]} is past them")
        if len(indices) == len(listed):
            raise CurationError(
                f"SPLIT_UNIT: the indices name all {len(listed)} spikes of unit {unit}; a split needs two parts"
            )
        taken = [listed[i] for i in indices]
        chosen = set(indices)
        rest = [p for i, p in enumerate(listed) if i not in chosen]
        return Selection("take", tuple(taken)), Selection("take", tuple(rest))
    taken = _nth_kept(selection.positions, indices)
    return Selection("take", tuple(taken)), Selection("drop", tuple(sorted({*selection.positions, *taken})))


# ---------------------------------------------------------------------- the units of a curation


@dataclass(frozen=True)
class DisplayUnit:
    """A unit as the page shows it.

    ``key`` is its display id ("7", "3+7", "7.1"), ``name`` the value stored in the curation for it (the
    original id, typed, for an original unit; the key otherwise), ``members`` the original units whose
    spikes it draws from, and ``selection`` which of their (time-sorted, joined) spikes are its own.
    ``source`` is the key of the original unit or merge group the spikes are counted in.
    """

    key: str
    name: UnitId
    members: tuple[UnitId, ...]
    selection: Selection
    source: str
    kind: str  # "unit", "merged" or "part"


@dataclass
class UnitLayout:
    """The merge groups and split parts of a curation, and the display units split away."""

    groups: dict[str, tuple[UnitId, ...]]  # group key -> members
    group_of: dict[str, str]  # str(member) -> group key
    parts: dict[str, DisplayUnit]  # part key -> part, in order of creation
    split_away: dict[str, tuple[str, str]]  # key of a unit that was split -> its two parts' keys
    removed: set[str]

    def resolve(self, name: Any, where: str, member_means_group: bool = False) -> DisplayUnit:
        """The display unit ``name`` names: a part key, a merge group's display id, or an original unit.

        ``member_means_group``: an original unit inside a merge group stands for the group (as for labels and
        removals, where the page names its selected units); otherwise naming it is an error.
        """
        name = unit_id_value(name, where)
        text = str(name)
        if text in self.parts:
            return self.parts[text]
        if text in self.split_away:
            one, two = self.split_away[text]
            raise CurationError(f"{where}: unit {text} was split into {one} and {two}; name a part")
        key = self.group_named(text)
        if key is None and text in self.group_of:
            key = self.group_of[text]
            if not member_means_group:
                raise CurationError(f"{where}: unit {text} is merged into {key}; name the merged unit {key!r}")
        if key is not None:
            if key in self.split_away:
                one, two = self.split_away[key]
                raise CurationError(f"{where}: the merged unit {key} was split into {one} and {two}; name a part")
            return DisplayUnit(key, key, self.groups[key], ALL, key, "merged")
        return DisplayUnit(text, name, (name,), ALL, text, "unit")

    def group_named(self, text: str) -> str | None:
        """The merge group whose display id is ``text``, its members in any order."""
        if "+" not in text:
            return None
        pieces = sorted(text.split("+"))
        for key, members in self.groups.items():
            if sorted(str(m) for m in members) == pieces:
                return key
        return None

    def is_removed(self, unit: DisplayUnit) -> bool:
        return unit.key in self.removed

    def current_parts(self) -> list[DisplayUnit]:
        """The parts not split again, in order of creation."""
        return [p for key, p in self.parts.items() if key not in self.split_away]


def part_keys(unit: DisplayUnit) -> tuple[str, str]:
    """The display ids of the two parts of ``unit``: "7.1"/"7.2", "(3+7).1"/"(3+7).2", "7.1.1"/"7.1.2"."""
    base = f"({unit.key})" if unit.kind == "merged" else unit.key
    return f"{base}.1", f"{base}.2"


def unit_layout(state: Mapping) -> UnitLayout:
    """Replay a (checked) curation's splits over its merge groups.

    Raises
    ------
    CurationError
        When a split names a unit that does not exist at that point or its indices do not fit.
    """
    groups = {group_key(g): tuple(sorted(g, key=id_sort_key)) for g in state.get("mergeGroups", [])}
    group_of = {str(m): key for key, members in groups.items() for m in members}
    layout = UnitLayout(groups, group_of, {}, {}, set())
    for number, split in enumerate(state.get("splits", [])):
        where = f"splits[{number}]"
        unit = layout.resolve(split["unitId"], where)
        first, second = split_selection(unit.selection, split["indices"], unit.key)
        keys = part_keys(unit)
        for key, selection in zip(keys, (first, second), strict=True):
            if key in layout.parts or key in layout.split_away:
                raise CurationError(f"{where}: unit {key} exists already")
            layout.parts[key] = DisplayUnit(key, key, unit.members, selection, unit.source, "part")
        layout.split_away[unit.key] = keys
    for name in state.get("removedUnits", []):
        layout.removed.add(layout.resolve(name, "removedUnits[]", member_means_group=True).key)
    return layout
