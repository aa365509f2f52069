"""Builder for plot_template_similarity, and similarity scores for units tables."""

from __future__ import annotations

import numpy as np
from spikeinterface.widgets.base import to_attr

from .. import views
from .common import plain_unit_ids
from .parity import check


def similarity_scores(
    unit_ids: list, similarity: np.ndarray, min_similarity: float | None = None, diagonal: bool = True
) -> list[views.UnitSimilarityScore]:
    """Scores of every ordered pair (without ``diagonal``, of distinct pairs), or only of distinct pairs at least
    ``min_similarity`` alike."""
    ids = plain_unit_ids(unit_ids)
    similarity = np.asarray(similarity)
    # the pairs kept, found on the whole matrix at once (1,000 units: a million pairs), in row-major order
    keep = np.isfinite(similarity)
    if not diagonal or min_similarity is not None:
        np.fill_diagonal(keep, False)
    if min_similarity is not None:
        keep &= similarity >= min_similarity
    rows, columns = np.nonzero(keep)
    values = similarity[rows, columns].astype(np.float32).tolist()
    return [
        views.UnitSimilarityScore(ids[i], ids[j], value)
        for i, j, value in zip(rows.tolist(), columns.tolist(), values, strict=True)
    ]


def build_template_similarity_view(data_plot: dict) -> views.UnitSimilarityMatrix:
    """The similarity matrix; a diagonal of zeros is SpikeInterface hiding it (``display_diagonal_values=False``:
    a template is always fully similar to itself), so it is left out and drawn as "no value", not as 0."""
    check("plot_template_similarity", data_plot)
    dp = to_attr(data_plot)
    similarity = np.asarray(dp.similarity)
    diagonal = not (similarity.size > 0 and np.all(np.diag(similarity) == 0))
    scores = similarity_scores(dp.unit_ids, similarity, diagonal=diagonal)
    return views.UnitSimilarityMatrix(plain_unit_ids(dp.unit_ids), scores)
