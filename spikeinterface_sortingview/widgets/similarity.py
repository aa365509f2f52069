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
    scores = []
    for i, unit_id1 in enumerate(ids):
        for j, unit_id2 in enumerate(ids):
            value = float(similarity[i, j])
            if not np.isfinite(value) or (i == j and not diagonal):
                continue
            if min_similarity is not None and (i == j or value < min_similarity):
                continue
            scores.append(views.UnitSimilarityScore(unit_id1, unit_id2, float(np.float32(value))))
    return scores


def build_template_similarity_view(data_plot: dict) -> views.UnitSimilarityMatrix:
    """The similarity matrix; a diagonal of zeros is SpikeInterface hiding it (``display_diagonal_values=False``:
    a template is always fully similar to itself), so it is left out and drawn as "no value", not as 0."""
    check("plot_template_similarity", data_plot)
    dp = to_attr(data_plot)
    similarity = np.asarray(dp.similarity)
    diagonal = not (similarity.size > 0 and np.all(np.diag(similarity) == 0))
    scores = similarity_scores(dp.unit_ids, similarity, diagonal=diagonal)
    return views.UnitSimilarityMatrix(plain_unit_ids(dp.unit_ids), scores)
