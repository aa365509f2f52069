"""Per-unit tables and matrices: UnitsTable, UnitMetricsGraph, UnitSimilarityMatrix, ConfusionMatrix."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from .base import View
from .encoding import FigureDataError, check_number, check_unit_id, with_optional

COLUMN_DTYPES = ("int", "float", "str", "bool")


class UnitsTableColumn:
    """A column of a units table; ``dtype`` is one of int, float, str, bool."""

    def __init__(self, key: str, label: str, dtype: str):
        if dtype not in COLUMN_DTYPES:
            raise FigureDataError(f"column {key!r} has dtype {dtype!r}; it must be one of {COLUMN_DTYPES}")
        self.key = str(key)
        self.label = str(label)
        self.dtype = dtype

    def to_dict(self) -> dict:
        return {"key": self.key, "label": self.label, "dtype": self.dtype}


def row_values(values: Mapping, unit_id: int | str) -> dict:
    """Cell values of a row; missing values (None, NaN) are left out as the format requires."""
    out = {}
    for key, value in values.items():
        if not isinstance(key, str):
            raise FigureDataError(f"row of unit {unit_id} has a key {key!r}; keys must be strings")
        if value is None:
            continue
        if isinstance(value, (float, np.floating)) and not math.isfinite(value):
            continue
        if isinstance(value, (str, np.str_)):
            out[key] = str(value)
        else:
            out[key] = check_number(value, f"value {key!r} of unit {unit_id}")
    return out


class UnitsTableRow:
    """The values of one unit, keyed by column key."""

    def __init__(self, unit_id: int | str, values: Mapping):
        self.unit_id = check_unit_id(unit_id, "unit_id")
        self.values = row_values(values, unit_id)

    def to_dict(self) -> dict:
        return {"unitId": self.unit_id, "values": self.values}


class UnitSimilarityScore:
    """The similarity of a pair of units."""

    def __init__(self, unit_id1: int | str, unit_id2: int | str, similarity: float):
        self.unit_id1 = check_unit_id(unit_id1, "unit_id1")
        self.unit_id2 = check_unit_id(unit_id2, "unit_id2")
        self.similarity = check_number(similarity, f"similarity of units {unit_id1}, {unit_id2}")

    def to_dict(self) -> dict:
        return {"unitId1": self.unit_id1, "unitId2": self.unit_id2, "similarity": self.similarity}


class UnitsTable(View):
    """A sortable table with one row per unit."""

    type = "UnitsTable"

    def __init__(
        self,
        columns: list[UnitsTableColumn],
        rows: list[UnitsTableRow],
        similarity_scores: list[UnitSimilarityScore] | None = None,
    ):
        self.columns = list(columns)
        self.rows = list(rows)
        keys = {column.key for column in self.columns}
        for row in self.rows:
            unknown = set(row.values) - keys
            if unknown:
                raise FigureDataError(f"row of unit {row.unit_id} has values for unknown columns {sorted(unknown)}")
        self.similarity_scores = similarity_scores

    def data(self) -> dict:
        fields = {"columns": [c.to_dict() for c in self.columns], "rows": [r.to_dict() for r in self.rows]}
        if self.similarity_scores is not None:
            fields["similarityScores"] = [s.to_dict() for s in self.similarity_scores]
        return fields


class UnitSimilarityMatrix(View):
    """A matrix of pairwise unit similarities."""

    type = "UnitSimilarityMatrix"

    def __init__(self, unit_ids: list, similarity_scores: list[UnitSimilarityScore], range: tuple | None = None):
        self.unit_ids = [check_unit_id(u, "unit id") for u in unit_ids]
        self.similarity_scores = list(similarity_scores)
        self.range = None if range is None else [check_number(v, "range") for v in range]

    def data(self) -> dict:
        fields = {"unitIds": self.unit_ids, "similarityScores": [s.to_dict() for s in self.similarity_scores]}
        if self.range is not None:
            fields["range"] = self.range
        return fields


class UnitMetricsGraphMetric:
    """A metric shown by UnitMetricsGraph; ``dtype`` is int or float."""

    def __init__(self, key: str, label: str, dtype: str):
        if dtype not in ("int", "float"):
            raise FigureDataError(f"metric {key!r} has dtype {dtype!r}; it must be 'int' or 'float'")
        self.key = str(key)
        self.label = str(label)
        self.dtype = dtype

    def to_dict(self) -> dict:
        return {"key": self.key, "label": self.label, "dtype": self.dtype}


class UnitMetricsGraphUnit:
    """The metric values of one unit."""

    def __init__(self, unit_id: int | str, values: Mapping):
        self.unit_id = check_unit_id(unit_id, "unit_id")
        self.values = row_values(values, unit_id)

    def to_dict(self) -> dict:
        return {"unitId": self.unit_id, "values": self.values}


class UnitMetricsGraph(View):
    """Histograms and scatter plots of unit metrics."""

    type = "UnitMetricsGraph"

    def __init__(self, units: list[UnitMetricsGraphUnit], metrics: list[UnitMetricsGraphMetric]):
        self.units = list(units)
        self.metrics = list(metrics)

    def data(self) -> dict:
        return {"units": [u.to_dict() for u in self.units], "metrics": [m.to_dict() for m in self.metrics]}


class UnitEventCount:
    """The number of events of a unit."""

    def __init__(self, unit_id: int | str, count: int):
        self.unit_id = check_unit_id(unit_id, "unit_id")
        self.count = int(count)

    def to_dict(self) -> dict:
        return {"unitId": self.unit_id, "count": self.count}


class MatchingUnitEventCount:
    """The number of matched events of a unit of sorting 1 and a unit of sorting 2."""

    def __init__(self, unit_id1: int | str, unit_id2: int | str, count: int):
        self.unit_id1 = check_unit_id(unit_id1, "unit_id1")
        self.unit_id2 = check_unit_id(unit_id2, "unit_id2")
        self.count = int(count)

    def to_dict(self) -> dict:
        return {"unitId1": self.unit_id1, "unitId2": self.unit_id2, "count": self.count}


class ConfusionMatrix(View):
    """Matched events between two sortings (SpikeInterface's confusion matrix of a ground-truth comparison).

    ``unit_event_counts`` lists sorting 1's units first, then sorting 2's, so readers can tell
    them apart even when both sortings use the same unit ids. ``false_negative_counts`` (one per
    unit of sorting 1) and ``false_positive_counts`` (one per unit of sorting 2) are the FN column
    and FP row of SpikeInterface's confusion matrix; without them a reader shows event counts instead.
    """

    type = "ConfusionMatrix"

    def __init__(
        self,
        sorting1_unit_ids: list,
        sorting2_unit_ids: list,
        unit_event_counts: list[UnitEventCount],
        matching_unit_event_counts: list[MatchingUnitEventCount],
        false_negative_counts: list[int] | None = None,
        false_positive_counts: list[int] | None = None,
        sorting1_name: str | None = None,
        sorting2_name: str | None = None,
    ):
        self.sorting1_unit_ids = [check_unit_id(u, "sorting 1 unit id") for u in sorting1_unit_ids]
        self.sorting2_unit_ids = [check_unit_id(u, "sorting 2 unit id") for u in sorting2_unit_ids]
        self.unit_event_counts = list(unit_event_counts)
        self.matching_unit_event_counts = list(matching_unit_event_counts)
        self.false_negative_counts = count_list(false_negative_counts, len(self.sorting1_unit_ids), "false negative")
        self.false_positive_counts = count_list(false_positive_counts, len(self.sorting2_unit_ids), "false positive")
        self.sorting1_name = sorting1_name
        self.sorting2_name = sorting2_name

    def data(self) -> dict:
        fields = {
            "sorting1UnitIds": self.sorting1_unit_ids,
            "sorting2UnitIds": self.sorting2_unit_ids,
            "unitEventCounts": [c.to_dict() for c in self.unit_event_counts],
            "matchingUnitEventCounts": [c.to_dict() for c in self.matching_unit_event_counts],
        }
        return with_optional(
            fields,
            falseNegativeCounts=self.false_negative_counts,
            falsePositiveCounts=self.false_positive_counts,
            sorting1Name=self.sorting1_name,
            sorting2Name=self.sorting2_name,
        )


def count_list(counts: list[int] | None, expected: int, what: str) -> list[int] | None:
    """Event counts as plain ints, one per unit; None stays None."""
    if counts is None:
        return None
    values = [int(c) for c in counts]
    if len(values) != expected:
        raise FigureDataError(f"{len(values)} {what} counts for {expected} units: give one per unit")
    return values
