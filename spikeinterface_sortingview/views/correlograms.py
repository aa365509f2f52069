"""Correlogram views: Autocorrelograms and CrossCorrelograms."""

from __future__ import annotations

import numpy as np

from .base import View
from .encoding import FigureDataError, check_array, check_unit_id, with_optional

COUNT_DTYPES = ("uint8", "int16", "uint16", "int32", "uint32")


def check_histogram(bin_edges_sec: np.ndarray, bin_counts: np.ndarray, what: str) -> tuple[np.ndarray, np.ndarray]:
    edges = check_array(bin_edges_sec, f"binEdgesSec of {what}", ndim=1, dtypes=("float32",))
    counts = check_array(bin_counts, f"binCounts of {what}", ndim=1, dtypes=COUNT_DTYPES)
    if len(edges) != len(counts) + 1:
        raise FigureDataError(
            f"{what} has {len(edges)} bin edges for {len(counts)} bin counts; edges must be one more than counts"
        )
    return edges, counts


class AutocorrelogramItem:
    """The autocorrelogram of one unit: bin edges in seconds (float32) and counts (int32)."""

    def __init__(self, unit_id: int | str, bin_edges_sec: np.ndarray, bin_counts: np.ndarray):
        self.unit_id = check_unit_id(unit_id, "unit_id")
        self.bin_edges_sec, self.bin_counts = check_histogram(bin_edges_sec, bin_counts, f"unit {unit_id}")

    def to_dict(self) -> dict:
        return {"unitId": self.unit_id, "binEdgesSec": self.bin_edges_sec, "binCounts": self.bin_counts}


class Autocorrelograms(View):
    """One autocorrelogram per unit.

    ``sorting_uri`` (this project's extension) names the shared sorting, so a page with a runner can
    compute correlograms of merged units.
    """

    type = "Autocorrelograms"

    def __init__(self, autocorrelograms: list[AutocorrelogramItem], sorting_uri: str | None = None):
        self.autocorrelograms = list(autocorrelograms)
        self.sorting_uri = sorting_uri

    def data(self) -> dict:
        fields = {"autocorrelograms": [item.to_dict() for item in self.autocorrelograms]}
        return with_optional(fields, sortingUri=self.sorting_uri)


class CrossCorrelogramItem:
    """The cross-correlogram of a pair of units."""

    def __init__(self, unit_id1: int | str, unit_id2: int | str, bin_edges_sec: np.ndarray, bin_counts: np.ndarray):
        self.unit_id1 = check_unit_id(unit_id1, "unit_id1")
        self.unit_id2 = check_unit_id(unit_id2, "unit_id2")
        self.bin_edges_sec, self.bin_counts = check_histogram(
            bin_edges_sec, bin_counts, f"units {unit_id1}, {unit_id2}"
        )

    def to_dict(self) -> dict:
        return {
            "unitId1": self.unit_id1,
            "unitId2": self.unit_id2,
            "binEdgesSec": self.bin_edges_sec,
            "binCounts": self.bin_counts,
        }


class CrossCorrelograms(View):
    """Cross-correlograms of unit pairs; the viewer shows the matrix of the selected units.

    A pair may be given once, as (a, b) or (b, a): readers mirror it. ``sorting_uri`` (this project's
    extension) lets a page with a runner compute the pairs left out and those of merged units.
    """

    type = "CrossCorrelograms"

    def __init__(
        self,
        cross_correlograms: list[CrossCorrelogramItem],
        hide_unit_selector: bool = False,
        sorting_uri: str | None = None,
    ):
        self.cross_correlograms = list(cross_correlograms)
        self.hide_unit_selector = bool(hide_unit_selector)
        self.sorting_uri = sorting_uri

    def data(self) -> dict:
        fields = {
            "crossCorrelograms": [item.to_dict() for item in self.cross_correlograms],
            "hideUnitSelector": self.hide_unit_selector,
        }
        return with_optional(fields, sortingUri=self.sorting_uri)
