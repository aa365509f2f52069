"""Builders for plot_quality_metrics, plot_template_metrics and the units table of summaries."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from spikeinterface.widgets.base import to_attr
from spikeinterface.widgets.utils import make_units_table_from_analyzer, make_units_table_from_sorting

from .. import views
from .common import plain_unit_id
from .parity import check

# numpy dtype kind -> units table column dtype
COLUMN_DTYPE_BY_KIND = {"i": "int", "u": "int", "f": "float", "b": "bool", "U": "str", "S": "str", "O": "str"}


def table_columns(table: pd.DataFrame) -> list[views.UnitsTableColumn]:
    columns = []
    for key in table.columns:
        kind = table[key].to_numpy().dtype.kind
        if kind in COLUMN_DTYPE_BY_KIND:
            columns.append(views.UnitsTableColumn(str(key), str(key), COLUMN_DTYPE_BY_KIND[kind]))
    return columns


def cell_value(value: object, dtype: str) -> object:
    """A table cell: floats rounded to 4 significant digits (smaller figures), others as they are."""
    if value is None:
        return None
    if dtype == "float":
        value = float(value)
        return float(f"{value:.4g}") if np.isfinite(value) else None
    if dtype == "int":
        return int(value)
    if dtype == "bool":
        return bool(value)
    return str(value)


def units_table_view(
    table: pd.DataFrame,
    unit_ids: list,
    similarity_scores: list[views.UnitSimilarityScore] | None = None,
) -> views.UnitsTable:
    """A UnitsTable from a DataFrame indexed by unit id."""
    columns = table_columns(table)
    rows = []
    for unit_id in unit_ids:
        record = table.loc[unit_id]
        values = {c.key: cell_value(record[c.key], c.dtype) for c in columns}
        rows.append(views.UnitsTableRow(plain_unit_id(unit_id), values))
    return views.UnitsTable(columns, rows, similarity_scores=similarity_scores)


def select_unit_properties(table: pd.DataFrame, unit_properties: list[str] | None) -> pd.DataFrame:
    """Keep the requested columns; warn (as SpikeInterface does) about those the sorting lacks."""
    if unit_properties is None:
        return table.iloc[:, :0]
    requested = np.array(unit_properties)
    present = np.isin(requested, table.columns)
    if not present.all():
        warnings.warn(f"Some unit properties are not in the sorting: {requested[~present]}", UserWarning, stacklevel=3)
    return table.loc[:, list(requested[present])]


def make_units_table(sorting_analyzer_or_sorting, extra_properties: dict | None = None) -> pd.DataFrame:
    """SpikeInterface's aggregated units table (metrics, locations, properties), indexed by unit id."""
    if hasattr(sorting_analyzer_or_sorting, "sorting"):
        return make_units_table_from_analyzer(sorting_analyzer_or_sorting, extra_properties=extra_properties)
    return make_units_table_from_sorting(sorting_analyzer_or_sorting)


def build_metrics_view(data_plot: dict) -> views.View:
    """The metrics' histograms and scatter plots, beside a units table unless ``hide_unit_selector``."""
    # one builder serves both widgets, which take the same arguments
    check("plot_quality_metrics", data_plot, shown_as="plot_quality_metrics or plot_template_metrics")
    dp = to_attr(data_plot)
    metrics: pd.DataFrame = dp.metrics
    if dp.include_metrics is not None:
        metrics = metrics.loc[:, [m for m in dp.include_metrics if m in metrics.columns]]
    if dp.skip_metrics is not None:
        metrics = metrics.drop(columns=[m for m in dp.skip_metrics if m in metrics.columns])
    unit_ids = list(dp.unit_ids) if dp.unit_ids is not None else list(metrics.index)
    metrics_table = units_table_view(metrics, unit_ids)
    graph_metrics = [
        views.UnitMetricsGraphMetric(c.key, c.label, c.dtype)
        for c in metrics_table.columns
        if c.dtype in ("int", "float")
    ]
    keys = {m.key for m in graph_metrics}
    graph_units = [
        views.UnitMetricsGraphUnit(row.unit_id, {k: v for k, v in row.values.items() if k in keys})
        for row in metrics_table.rows
    ]
    graph = views.UnitMetricsGraph(graph_units, graph_metrics)
    if dp.hide_unit_selector:
        return graph
    table = metrics_table if dp.include_metrics_data else units_table_view(metrics.iloc[:, :0], unit_ids)
    return views.Splitter("horizontal", views.LayoutItem(table, max_size=800), views.LayoutItem(graph, stretch=2))
