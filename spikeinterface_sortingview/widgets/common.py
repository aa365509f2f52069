"""Small conversions shared by the widget builders."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from .. import views


def plain_unit_id(unit_id: object) -> int | str:
    """Unit ids stay int or str as in the sorting; numpy scalars become Python values."""
    if isinstance(unit_id, (np.integer, int)) and not isinstance(unit_id, bool):
        return int(unit_id)
    return str(unit_id)


def plain_unit_ids(unit_ids: Iterable) -> list[int | str]:
    return [plain_unit_id(u) for u in unit_ids]


def seconds_float32(times: np.ndarray) -> np.ndarray:
    """Spike times in seconds as float32, the format's dtype for times."""
    return np.asarray(times, dtype="float32")


def histogram_edges_sec(bins_ms: np.ndarray) -> np.ndarray:
    """Correlogram bin edges from SpikeInterface (milliseconds) to seconds as float32."""
    return (np.asarray(bins_ms, dtype="float64") / 1000.0).astype("float32")


# Display values keep 12 significant bits (relative precision 2**-12, about 0.02 %): far below what a
# plot can show, and float32 arrays rounded so compress about a third better.
DISPLAY_MANTISSA_BITS = 11


def display_precision(values: np.ndarray) -> np.ndarray:
    """float32 values rounded to ``DISPLAY_MANTISSA_BITS`` mantissa bits (round half up on the bit pattern)."""
    array = np.ascontiguousarray(values, dtype="float32")
    drop = 23 - DISPLAY_MANTISSA_BITS
    bits = array.view(np.uint32)
    rounded = (bits + np.uint32(1 << (drop - 1))) & np.uint32(~((1 << drop) - 1) & 0xFFFFFFFF)
    # NaN and infinity (exponent all ones) are left as they are
    special = (bits & np.uint32(0x7F800000)) == np.uint32(0x7F800000)
    return np.where(special, bits, rounded).view(np.float32)


def drawn_units(dp) -> list:
    """``unit_ids``, or with ``plot_all_units`` every unit (``unit_ids`` first), as matplotlib draws them."""
    unit_ids = list(dp.unit_ids)
    if dp.plot_all_units:
        unit_ids += [u for u in dp.all_unit_ids if u not in set(unit_ids)]
    return unit_ids


# Width of the units table beside a plot (the unit column only), as SpikeInterface's sortingview backend had it.
UNIT_SELECTOR_WIDTH = 150


def with_unit_selector(view: views.View, unit_ids: Iterable, hide_unit_selector: bool) -> views.View:
    """The view with a units table on its left to pick the units it highlights, unless ``hide_unit_selector``.

    With 20 colours and no way to pick one a plot reads badly: SpikeInterface's sortingview backend put a units
    table beside unit locations, unit templates and spike locations; amplitudes and rasters get the same here.
    """
    if hide_unit_selector:
        return view
    table = views.UnitsTable([], [views.UnitsTableRow(plain_unit_id(u), {}) for u in unit_ids])
    return views.Box(
        "horizontal", [views.LayoutItem(table, max_size=UNIT_SELECTOR_WIDTH), views.LayoutItem(view, stretch=1)]
    )
