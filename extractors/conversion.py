"""``serialize_dtype``: how traces are converted before they are stored (a cast, or quantisation with per-channel gains)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class TraceConversion:
    """Turns traces of the source dtype into the stored dtype.

    Attributes
    ----------
    dtype : np.dtype
        The stored dtype.
    scale, offset : np.ndarray | None
        Per-channel quantisation, when the stored dtype is an integer type the source values
        do not fit in: ``stored = round((x - offset) / scale)``, so ``x ≈ stored * scale + offset``
        within half a step ``scale / 2``. None for a plain cast.
    """

    dtype: np.dtype
    scale: np.ndarray | None = None
    offset: np.ndarray | None = None

    def apply(self, traces: np.ndarray) -> np.ndarray:
        """The stored form of ``traces`` (C-contiguous, of ``self.dtype``)."""
        if self.scale is None:
            return np.ascontiguousarray(traces, dtype=self.dtype)
        # float64 so rounding is decided on the exact value, not on a float32 approximation of it
        scaled = (traces.astype(np.float64) - self.offset) / self.scale
        np.rint(scaled, out=scaled)
        info = np.iinfo(self.dtype)
        np.clip(scaled, info.min, info.max, out=scaled)
        return np.ascontiguousarray(scaled, dtype=self.dtype)

    def gains(
        self, gain_to_uV: np.ndarray | None, offset_to_uV: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """The ``gain_to_uV`` and ``offset_to_uV`` of the stored traces, given those of the source.

        With quantisation, the new gains map stored integers back to what the source's gains
        gave (µV), or to the source's own values when it had no gains.
        """
        if self.scale is None:
            return None if gain_to_uV is None else (gain_to_uV, offset_to_uV)
        if gain_to_uV is None:
            return self.scale.copy(), self.offset.copy()
        return self.scale * gain_to_uV, offset_to_uV + self.offset * gain_to_uV


def needs_quantisation(source: np.dtype, target: np.dtype) -> bool:
    """True when ``target`` is an integer type that cannot hold every value of ``source`` as is."""
    return target.kind in "iu" and not np.can_cast(source, target, casting="safe")


def quantisation(target: np.dtype, minimum: np.ndarray, maximum: np.ndarray) -> TraceConversion:
    """The per-channel quantisation mapping ``[minimum, maximum]`` of each channel onto the full range of ``target``."""
    if not (np.all(np.isfinite(minimum)) and np.all(np.isfinite(maximum))):
        raise ValueError(
            f"The traces hold NaN or infinite values, which {target} cannot store; "
            "share them as float (serialize_dtype=None or 'float32')"
        )
    info = np.iinfo(target)
    minimum = minimum.astype(np.float64)
    maximum = maximum.astype(np.float64)
    span = maximum - minimum
    scale = np.where(span > 0, span / (float(info.max) - float(info.min)), 1.0)
    offset = minimum - float(info.min) * scale
    return TraceConversion(np.dtype(target), scale, offset)
