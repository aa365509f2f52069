"""Comparisons of sortings: agreement scores, performance against ground truth, study tables, multi-sorting agreement."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .base import View
from .encoding import FigureDataError, check_array, check_number, check_unit_id, with_optional

# SpikeInterface's default for ``count_well_detected_units``: a ground-truth unit found with this accuracy or more.
DEFAULT_WELL_DETECTED_SCORE = 0.8


def optional_unit_ids(unit_ids: Sequence, name: str) -> list[int | str | None]:
    """Unit ids where a unit has one, None where it has none (an unmatched unit)."""
    return [None if u is None else check_unit_id(u, name) for u in unit_ids]


def scores_array(values: object, length: int, name: str) -> np.ndarray:
    """Per-unit scores as float32 (NaN where SpikeInterface has none), one per unit."""
    array = check_array(np.asarray(values, dtype="float32"), name, ndim=1)
    if len(array) != length:
        raise FigureDataError(f"{name} has {len(array)} values for {length} units: give one per unit")
    return array


class AgreementMatrix(View):
    """Agreement scores of every unit pair of two sortings (SpikeInterface's ``agreement_scores``).

    Parameters
    ----------
    sorting1_unit_ids, sorting2_unit_ids : list
        Rows and columns, in the order shown (SpikeInterface's ordered scores put best matches on the diagonal).
    agreement_scores : np.ndarray
        ``(len(sorting1_unit_ids), len(sorting2_unit_ids))`` scores between 0 and 1, written float32.
    best_match12 : list
        For each unit of sorting 1, its best match in sorting 2 or None.
    sorting1_name, sorting2_name : str | None
        The sortings' names (axis titles).
    """

    type = "AgreementMatrix"

    def __init__(
        self,
        sorting1_unit_ids: list,
        sorting2_unit_ids: list,
        agreement_scores: np.ndarray,
        best_match12: list,
        sorting1_name: str | None = None,
        sorting2_name: str | None = None,
    ):
        self.sorting1_unit_ids = [check_unit_id(u, "sorting 1 unit id") for u in sorting1_unit_ids]
        self.sorting2_unit_ids = [check_unit_id(u, "sorting 2 unit id") for u in sorting2_unit_ids]
        scores = check_array(np.asarray(agreement_scores, dtype="float32"), "agreementScores", ndim=2)
        shape = (len(self.sorting1_unit_ids), len(self.sorting2_unit_ids))
        if scores.shape != shape:
            raise FigureDataError(f"agreementScores has shape {scores.shape}; the unit ids give {shape}")
        self.agreement_scores = scores
        self.best_match12 = optional_unit_ids(best_match12, "best match")
        if len(self.best_match12) != shape[0]:
            raise FigureDataError("best_match12 needs one entry (a unit id or None) per unit of sorting 1")
        self.sorting1_name = sorting1_name
        self.sorting2_name = sorting2_name

    def data(self) -> dict:
        fields = {
            "sorting1UnitIds": self.sorting1_unit_ids,
            "sorting2UnitIds": self.sorting2_unit_ids,
            "agreementScores": self.agreement_scores,
            "bestMatch12": self.best_match12,
        }
        return with_optional(fields, sorting1Name=self.sorting1_name, sorting2Name=self.sorting2_name)


class UnitPerformance:
    """Accuracy, precision and recall of each ground-truth unit against one sorting (``get_performance()``).

    Parameters
    ----------
    gt_unit_ids : list
        The ground-truth units.
    matched_unit_ids : list
        The sorted unit each was matched to (hungarian match) or None.
    accuracy, precision, recall : array-like
        One value per ground-truth unit (NaN allowed).
    num_gt_events : array-like
        Spikes of each ground-truth unit.
    """

    def __init__(
        self,
        gt_unit_ids: list,
        matched_unit_ids: list,
        accuracy: object,
        precision: object,
        recall: object,
        num_gt_events: object,
    ):
        self.gt_unit_ids = [check_unit_id(u, "ground-truth unit id") for u in gt_unit_ids]
        n = len(self.gt_unit_ids)
        self.matched_unit_ids = optional_unit_ids(matched_unit_ids, "matched unit id")
        if len(self.matched_unit_ids) != n:
            raise FigureDataError("matched_unit_ids needs one entry (a unit id or None) per ground-truth unit")
        self.accuracy = scores_array(accuracy, n, "accuracy")
        self.precision = scores_array(precision, n, "precision")
        self.recall = scores_array(recall, n, "recall")
        counts = np.asarray(num_gt_events, dtype="int64")
        self.num_gt_events = check_array(counts.astype("int32"), "numGtEvents", ndim=1)

    def to_dict(self) -> dict:
        return {
            "gtUnitIds": self.gt_unit_ids,
            "matchedUnitIds": self.matched_unit_ids,
            "accuracy": self.accuracy,
            "precision": self.precision,
            "recall": self.recall,
            "numGtEvents": self.num_gt_events,
        }


class GroundTruthComparison(View):
    """Per-unit accuracy, precision and recall of one sorting of one recording against its ground truth."""

    type = "GroundTruthComparison"

    def __init__(
        self,
        units: UnitPerformance,
        sorter_name: str | None = None,
        recording_name: str | None = None,
        well_detected_score: float = DEFAULT_WELL_DETECTED_SCORE,
    ):
        self.units = units
        self.sorter_name = sorter_name
        self.recording_name = recording_name
        self.well_detected_score = check_number(well_detected_score, "well_detected_score")

    def data(self) -> dict:
        fields = {**self.units.to_dict(), "wellDetectedScore": self.well_detected_score}
        return with_optional(fields, sorterName=self.sorter_name, recordingName=self.recording_name)


class StudyCell:
    """One sorter on one recording: averaged accuracy, well-detected units and the per-unit performance.

    Parameters
    ----------
    sorter_name, recording_name : str
        The cell's row and column.
    units : UnitPerformance
        Per ground-truth unit scores.
    num_sorted_units : int
        Units the sorter found.
    mean_accuracy : float
        Accuracy averaged over ground-truth units (``get_performance("pooled_with_average")``).
    num_well_detected : int
        ``count_well_detected_units(well_detected_score)``.
    run_time_sec : float | None
        How long the sorter ran.
    sorting_uri : str | None
        The sorting's URI (``shared-data.md``).
    """

    def __init__(
        self,
        sorter_name: str,
        recording_name: str,
        units: UnitPerformance,
        num_sorted_units: int,
        mean_accuracy: float,
        num_well_detected: int,
        run_time_sec: float | None = None,
        sorting_uri: str | None = None,
    ):
        self.sorter_name = str(sorter_name)
        self.recording_name = str(recording_name)
        self.units = units
        self.num_sorted_units = int(num_sorted_units)
        self.mean_accuracy = check_number(float(mean_accuracy), "mean_accuracy")
        self.num_well_detected = int(num_well_detected)
        self.run_time_sec = None if run_time_sec is None else check_number(run_time_sec, "run_time_sec")
        self.sorting_uri = sorting_uri

    def to_dict(self) -> dict:
        fields = {
            "sorterName": self.sorter_name,
            "recordingName": self.recording_name,
            "numGtUnits": len(self.units.gt_unit_ids),
            "numSortedUnits": self.num_sorted_units,
            "meanAccuracy": self.mean_accuracy,
            "numWellDetected": self.num_well_detected,
            "units": self.units.to_dict(),
        }
        return with_optional(fields, runTimeSec=self.run_time_sec, sortingUri=self.sorting_uri)


class StudyTable(View):
    """Sorters x recordings: averaged accuracy and well-detected units per cell; a cell opens its per-unit view."""

    type = "StudyTable"

    def __init__(
        self,
        cells: list[StudyCell],
        sorter_names: list[str] | None = None,
        recording_names: list[str] | None = None,
        well_detected_score: float = DEFAULT_WELL_DETECTED_SCORE,
    ):
        if not cells:
            raise FigureDataError("a study table needs at least one cell (a sorter run on a recording)")
        self.cells = list(cells)
        self.sorter_names = list(sorter_names or dict.fromkeys(c.sorter_name for c in cells))
        self.recording_names = list(recording_names or dict.fromkeys(c.recording_name for c in cells))
        for cell in self.cells:
            if cell.sorter_name not in self.sorter_names or cell.recording_name not in self.recording_names:
                raise FigureDataError(f"cell {cell.sorter_name} x {cell.recording_name} is not in the table's names")
        self.well_detected_score = check_number(well_detected_score, "well_detected_score")

    def data(self) -> dict:
        return {
            "sorterNames": self.sorter_names,
            "recordingNames": self.recording_names,
            "wellDetectedScore": self.well_detected_score,
            "cells": [c.to_dict() for c in self.cells],
        }


class MultiSortingAgreement(View):
    """Units found by several sortings (SpikeInterface's ``compare_multiple_sorters``).

    Parameters
    ----------
    sorting_names : list[str]
        The sortings compared.
    units : list[dict]
        One per agreement unit: ``unit_id``, ``agreement_number`` (how many sortings found it),
        ``average_agreement`` and ``unit_ids`` (``{sorting name: unit id}`` of the sortings that found it).
    num_units : Mapping[str, int]
        Units of each sorting.
    """

    type = "MultiSortingAgreement"

    def __init__(self, sorting_names: list[str], units: list[dict], num_units: Mapping[str, int]):
        self.sorting_names = [str(name) for name in sorting_names]
        self.units = []
        for i, unit in enumerate(units):
            members = {str(k): check_unit_id(v, f"units[{i}].unit_ids") for k, v in unit["unit_ids"].items()}
            unknown = set(members) - set(self.sorting_names)
            if unknown:
                raise FigureDataError(f"units[{i}] names sortings {sorted(unknown)} not in sorting_names")
            self.units.append(
                {
                    "unitId": check_unit_id(unit["unit_id"], f"units[{i}].unit_id"),
                    "agreementNumber": int(unit["agreement_number"]),
                    "averageAgreement": check_number(unit["average_agreement"], f"units[{i}].average_agreement"),
                    "unitIds": members,
                }
            )
        self.num_units = {str(k): int(v) for k, v in num_units.items()}

    def data(self) -> dict:
        return {"sortingNames": self.sorting_names, "units": self.units, "numUnits": self.num_units}
