"""Curation: the state and its actions (labels, merges, splits, removals, undo), and the way into SpikeInterface.

The state is the sortingview curation JSON, extended (docs/curation.md)::

    {"labelsByUnit": {"<unit id>": ["accept", "mua"]},
     "mergeGroups": [[1, 4], [7, 9, 12]],
     "isClosed": false,
     "labelChoices": ["accept", "reject", "noise", "artifact", "mua"],
     "splits": [{"unitId": 5, "indices": [0, 3, 4]}],
     "removedUnits": [2]}

:func:`apply_action` returns a new state and never changes its input, so a journal of actions replays to
the same state anywhere (:func:`replay`); :func:`get_curation` turns a figure URL, a saved curation or a
journal into SpikeInterface's curation format (version 2).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from extractors.share import load_sorting

from .curation_export import (
    SPIKEINTERFACE_LABEL_CATEGORY,
    curation_from_dict,
    from_spikeinterface_curation,
    to_sortingview_json,
    to_spikeinterface_curation,
)
from .curation_history import CurationHistory, replay
from .curation_journal import CurationJournalError, parse_journal, read_journal
from .curation_state import (
    ACTION_TYPES,
    MAX_LABEL_LENGTH,
    action_unit_ids,
    apply_action,
    display_labels,
    empty_curation,
    merged_labels,
    normalize_curation,
    normalize_label_definitions,
    simplify_merge_groups,
    validate_action,
)
from .curation_units import CurationError, UnitId, group_key, unit_layout
from .store import default_store

_CONTENT_HASH = re.compile(r"^sha1://([0-9a-fA-F]{40})(?:[/?]|$)|^kachery:[^:]*:sha1:([0-9a-fA-F]{40})(?::|$)")
JOURNAL_FOLDER = "curation_journals"


def journal_name_for_sorting(sorting_uri: str) -> str:
    """The name of a sorting's journal, as the page gives it: ``sorting-`` and the hash naming the sorting."""
    match = _CONTENT_HASH.match(sorting_uri)
    digest = (match.group(1) or match.group(2)).lower() if match else hashlib.sha1(sorting_uri.encode()).hexdigest()
    return f"sorting-{digest}"


def _load_json_uri(uri: str, store) -> object:
    try:
        return store.load_json(uri)
    except Exception as error:  # the store's own errors say what is missing or corrupt
        raise CurationError(f"could not read the curation {uri}: {error}") from error


def _figure_curation(url: str, store) -> tuple[dict | None, str | None]:
    """The curation a figure URL carries (``s=``, else the curation view's starting one) and its sorting URI."""
    query = parse_qs(urlsplit(url).query)
    sorting_uri = initial = None
    if "d" in query:
        document = _load_json_uri(query["d"][0], store)
        for view in _views_of(document, store):
            if view.get("type") == "SortingCuration2":
                sorting_uri = view.get("sortingUri")
                initial = view.get("curation")
                break
    if "s" in query:
        state = json.loads(query["s"][0])
        curation = state.get("sortingCuration") if isinstance(state, Mapping) else None
        if isinstance(curation, str):
            return normalize_curation(_load_json_uri(curation, store)), sorting_uri
        if isinstance(curation, Mapping):
            return normalize_curation(curation), sorting_uri
    return (normalize_curation(initial) if initial is not None else None), sorting_uri


def _views_of(document: object, store) -> list[dict]:
    """The view files a figure document names (docs/figure-format.md)."""
    uris: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, Mapping):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str) and node.startswith("sha1://") and node not in uris:
            uris.append(node)

    walk(document)
    views = []
    for uri in uris:
        try:
            view = store.load_json(uri)
        except Exception:  # a URI of something that is not a JSON view (arrays, spike trains)
            continue
        if isinstance(view, Mapping) and "type" in view:
            views.append(view)
    return views


def get_curation(source, sorting_or_analyzer=None, unit_ids: Sequence[UnitId] | None = None) -> dict | list[dict]:
    """A curation in SpikeInterface's curation format (version 2), for ``spikeinterface.curation.apply_curation``.

    Parameters
    ----------
    source : str | Path | dict
        A figure URL (the curation its ``s=`` state holds, or, when the runner's journal for the figure's
        sorting is in the local store, the journal's), a ``sha1://`` URI of a saved curation, a path to a
        journal (``.jsonl``) or to a curation JSON file (sortingview's or SpikeInterface's format), or a
        curation dict.
    sorting_or_analyzer : BaseSorting | SortingAnalyzer | None
        What the curation applies to; it gives the unit ids. For a figure URL it defaults to the figure's
        shared sorting.
    unit_ids : sequence | None
        The unit ids, instead of ``sorting_or_analyzer``.

    Returns
    -------
    dict | list of dict
        What :func:`to_spikeinterface_curation` returns: one curation, or a list of steps when a merged
        unit was split (``apply_curation`` takes both).

    Raises
    ------
    CurationError
        For a source that holds no curation, a curation naming units the sorting does not have, or no way
        to know the unit ids.
    """
    store = default_store()
    sorting = getattr(sorting_or_analyzer, "sorting", sorting_or_analyzer)  # an analyzer's sorting, or the sorting
    counts = dict(sorting.count_num_spikes_per_unit()) if sorting is not None else None
    if unit_ids is None and sorting_or_analyzer is not None:
        unit_ids = list(sorting_or_analyzer.unit_ids)
    if isinstance(source, Mapping):
        state = curation_from_dict(source, counts)
    elif isinstance(source, str) and source.startswith(("http://", "https://")):
        state, sorting_uri = _figure_curation(source, store)
        journal = (
            store.directory / JOURNAL_FOLDER / f"{journal_name_for_sorting(sorting_uri)}.jsonl" if sorting_uri else None
        )
        if journal is not None and journal.is_file():
            state = read_journal(journal)[1].state
        if state is None:
            state = empty_curation()
        if unit_ids is None and sorting_uri is not None:
            unit_ids = list(load_sorting(sorting_uri).unit_ids)
    elif isinstance(source, str) and source.startswith(("sha1://", "kachery:")):
        state = curation_from_dict(_load_json_uri(source, store), counts)
    else:
        path = Path(source)
        if path.suffix == ".jsonl":
            state = read_journal(path)[1].state
        elif path.is_file():
            state = curation_from_dict(json.loads(path.read_text()), counts)
        else:
            raise CurationError(f"{source!r} is not a figure URL, a sha1:// URI, a journal or a curation file")
    if unit_ids is None:
        raise CurationError("the unit ids are not known: pass sorting_or_analyzer= (or unit_ids=)")
    return to_spikeinterface_curation(state, unit_ids)


def curation_for_figure(curation_dict, label_definitions: Mapping | None, sorting) -> dict | None:
    """The curation a sorting summary starts from (``curation_dict=``, ``label_definitions=``), checked.

    Parameters
    ----------
    curation_dict : dict | str | None
        SpikeInterface's curation (format 1 or 2), a sortingview curation, or the ``sha1://`` URI of a saved one.
    label_definitions : Mapping | None
        SpikeInterface-style label categories ``{name: {label_options, exclusive}}``; their options become the
        panel's label buttons.
    sorting : BaseSorting
        The sorting shown: the curation must name its units only.

    Raises
    ------
    CurationError
        For a curation that is not valid or names units the sorting does not have (no figure is made then).
    """
    if curation_dict is None and label_definitions is None:
        return None
    counts = dict(sorting.count_num_spikes_per_unit())
    if isinstance(curation_dict, str):
        curation_dict = _load_json_uri(curation_dict, default_store())
    state = curation_from_dict(curation_dict, counts) if curation_dict is not None else empty_curation()
    if label_definitions is not None:
        definitions = normalize_label_definitions(label_definitions)
        state = normalize_curation(
            {
                **state,
                "labelDefinitions": definitions,
                "labelChoices": [o for d in definitions.values() for o in d["label_options"]],
            }
        )
    to_spikeinterface_curation(state, list(sorting.unit_ids))  # refuses units the sorting does not have
    return state


__all__ = [
    "ACTION_TYPES",
    "MAX_LABEL_LENGTH",
    "SPIKEINTERFACE_LABEL_CATEGORY",
    "CurationError",
    "CurationHistory",
    "CurationJournalError",
    "action_unit_ids",
    "apply_action",
    "curation_for_figure",
    "curation_from_dict",
    "display_labels",
    "empty_curation",
    "from_spikeinterface_curation",
    "get_curation",
    "group_key",
    "journal_name_for_sorting",
    "merged_labels",
    "normalize_curation",
    "normalize_label_definitions",
    "parse_journal",
    "read_journal",
    "replay",
    "simplify_merge_groups",
    "to_sortingview_json",
    "to_spikeinterface_curation",
    "unit_layout",
    "validate_action",
]
