"""The curation reducer (sortingview semantics) and its exports, checked by loading them back in SpikeInterface."""

from __future__ import annotations

import json

import numpy as np
import pytest
import spikeinterface.core as sc
from spikeinterface.curation import apply_curation, apply_sortingview_curation

from spikeinterface_sortingview.curation import (
    CurationError,
    apply_action,
    empty_curation,
    normalize_curation,
    replay,
    simplify_merge_groups,
    to_sortingview_json,
    to_spikeinterface_curation,
)


def test_labels_are_sorted_unique_and_toggle_like_sortingview():
    state = replay(
        [
            {"type": "ADD_UNIT_LABEL", "unitId": 3, "label": "mua"},
            {"type": "ADD_UNIT_LABEL", "unitId": [3, 5], "label": "accept"},
            {"type": "ADD_UNIT_LABEL", "unitId": 3, "label": "accept"},
        ]
    )
    assert state["labelsByUnit"] == {"3": ["accept", "mua"], "5": ["accept"]}
    # toggle on units that do not all have the label: add it to all
    state = apply_action(state, {"type": "TOGGLE_UNIT_LABEL", "unitId": [3, 7], "label": "mua"})
    assert state["labelsByUnit"]["7"] == ["mua"]
    # all have it now: remove it from all; units left without labels disappear
    state = apply_action(state, {"type": "TOGGLE_UNIT_LABEL", "unitId": [3, 7], "label": "mua"})
    assert state["labelsByUnit"] == {"3": ["accept"], "5": ["accept"]}
    state = apply_action(state, {"type": "REMOVE_UNIT_LABEL", "unitId": 5, "label": "accept"})
    assert state["labelsByUnit"] == {"3": ["accept"]}


def test_merge_groups_join_transitively_and_unmerge_drops_small_groups():
    assert simplify_merge_groups([[4, 1], [7, 9], [9, 12], [1, 2], [5]]) == [[1, 2, 4], [7, 9, 12]]
    state = replay([{"type": "MERGE_UNITS", "unitIds": [4, 1]}, {"type": "MERGE_UNITS", "unitIds": [2, 4]}])
    assert state["mergeGroups"] == [[1, 2, 4]]
    state = apply_action(state, {"type": "MERGE_UNITS", "unitIds": [9, 8]})
    assert state["mergeGroups"] == [[1, 2, 4], [8, 9]]
    state = apply_action(state, {"type": "UNMERGE_UNITS", "unitIds": [9, 2]})
    assert state["mergeGroups"] == [[1, 4]]
    assert simplify_merge_groups([["b", "a"], ["c", "b"]]) == [["a", "b", "c"]]


def test_close_reopen_set_curation_and_label_choices():
    state = apply_action(empty_curation(), {"type": "CLOSE_CURATION"})
    assert state["isClosed"]
    with pytest.raises(CurationError, match="closed; send REOPEN_CURATION"):
        apply_action(state, {"type": "MERGE_UNITS", "unitIds": [1, 2]})
    state = apply_action(state, {"type": "REOPEN_CURATION"})
    curation = {
        "labelsByUnit": {"2": ["noise", "noise"]},
        "mergeGroups": [[3, 1], [1, 2]],
        "labelChoices": ["good", "bad"],
    }
    state = apply_action(state, {"type": "SET_CURATION", "curation": curation})
    assert state == {
        "labelsByUnit": {"2": ["noise"]},
        "mergeGroups": [[1, 2, 3]],
        "isClosed": False,
        "labelChoices": ["good", "bad"],
    }
    state = apply_action(state, {"type": "SET_LABEL_CHOICES", "labelChoices": ["good", "bad", "maybe"]})
    assert state["labelChoices"] == ["good", "bad", "maybe"]
    assert empty_curation()["labelChoices"] == ["accept", "reject", "noise", "artifact", "mua"]


def test_reducer_does_not_change_its_input():
    state = replay([{"type": "ADD_UNIT_LABEL", "unitId": 1, "label": "accept"}])
    before = json.dumps(state, sort_keys=True)
    apply_action(state, {"type": "ADD_UNIT_LABEL", "unitId": 1, "label": "mua"})
    assert json.dumps(state, sort_keys=True) == before


@pytest.mark.parametrize(
    ("action", "message"),
    [
        ({"type": "RENAME_UNIT"}, "unknown action type 'RENAME_UNIT'"),
        ({"type": "ADD_UNIT_LABEL", "unitId": 1}, "missing label"),
        ({"type": "ADD_UNIT_LABEL", "unitId": 1, "label": "x", "extra": 1}, "unexpected extra"),
        ({"type": "ADD_UNIT_LABEL", "unitId": 1, "label": ""}, "non-empty string"),
        ({"type": "ADD_UNIT_LABEL", "unitId": 1.5, "label": "x"}, "unit ids are ints or strings"),
        ({"type": "ADD_UNIT_LABEL", "unitId": True, "label": "x"}, "unit ids are ints or strings"),
        ({"type": "MERGE_UNITS", "unitIds": [1, 1]}, "at least two different units"),
        ({"type": "MERGE_UNITS", "unitIds": 1}, "non-empty list of unit ids"),
        ({"type": "SET_CURATION", "curation": {"labelsByUnit": {"1": "accept"}}}, "must be a list of labels"),
        ({"type": "SET_CURATION", "curation": {"mergeGroup": []}}, "has no field(s) mergeGroup"),
        ("MERGE_UNITS", "must be a JSON object"),
    ],
)
def test_invalid_actions_are_refused(action, message):
    with pytest.raises(CurationError) as caught:
        apply_action(empty_curation(), action)
    assert message in str(caught.value)


@pytest.fixture
def sorting():
    rng = np.random.default_rng(0)
    units = {u: np.sort(rng.choice(100_000, size=50, replace=False)) for u in range(1, 9)}
    return sc.NumpySorting.from_unit_dict(units, 30000.0)


def curated_state() -> dict:
    return replay(
        [
            {"type": "ADD_UNIT_LABEL", "unitId": [1, 2], "label": "accept"},
            {"type": "ADD_UNIT_LABEL", "unitId": 5, "label": "noise"},
            {"type": "ADD_UNIT_LABEL", "unitId": 6, "label": "mua"},
            {"type": "MERGE_UNITS", "unitIds": [3, 4]},
            {"type": "MERGE_UNITS", "unitIds": [4, 7]},
        ]
    )


def test_spikeinterface_curation_export_applies(sorting):
    export = to_spikeinterface_curation(curated_state(), sorting.unit_ids)
    assert export["format_version"] == "2" and export["unit_ids"] == list(range(1, 9))
    assert export["merges"] == [{"unit_ids": [3, 4, 7], "new_unit_id": 9}]  # the next integer id
    json.dumps(export)  # plain JSON values only
    curated = apply_curation(sorting, export)
    assert len(curated.unit_ids) == 6  # 8 units, 3 merged into 1
    merged = [u for u in curated.unit_ids if u not in sorting.unit_ids]
    assert len(merged) == 1
    assert len(curated.get_unit_spike_train(merged[0])) == 150
    accept = dict(zip(curated.unit_ids, curated.get_property("accept"), strict=True))
    assert accept[1] and accept[2] and not accept[8]
    noise = dict(zip(curated.unit_ids, curated.get_property("noise"), strict=True))
    assert noise[5] and not noise[1]


def test_spikeinterface_export_with_few_labels_and_no_labels(sorting):
    state = replay(
        [
            {"type": "SET_LABEL_CHOICES", "labelChoices": ["good"]},
            {"type": "ADD_UNIT_LABEL", "unitId": 2, "label": "good"},
        ]
    )
    apply_curation(sorting, to_spikeinterface_curation(state, sorting.unit_ids))
    apply_curation(sorting, to_spikeinterface_curation(empty_curation(), sorting.unit_ids))


def test_spikeinterface_export_refuses_units_not_in_the_sorting(sorting):
    state = replay([{"type": "MERGE_UNITS", "unitIds": [1, 99]}])
    with pytest.raises(CurationError, match="merges unit 99"):
        to_spikeinterface_curation(state, sorting.unit_ids)


def test_sortingview_json_export_loads_with_apply_sortingview_curation(sorting, tmp_path):
    path = tmp_path / "curation.json"
    path.write_text(json.dumps(to_sortingview_json(curated_state())))
    curated = apply_sortingview_curation(sorting, path, exclude_labels=["noise"])
    assert 5 not in curated.unit_ids  # excluded by label
    assert len(curated.unit_ids) == 5  # 8 - 2 merged away - 1 excluded
    merged = [u for u in curated.unit_ids if u not in sorting.unit_ids]
    assert len(curated.get_unit_spike_train(merged[0])) == 150


def test_string_unit_ids_round_trip(tmp_path):
    sorting = sc.NumpySorting.from_unit_dict({"a": np.array([1, 5]), "b": np.array([3]), "c": np.array([9])}, 1000.0)
    state = replay(
        [{"type": "MERGE_UNITS", "unitIds": ["b", "a"]}, {"type": "ADD_UNIT_LABEL", "unitId": "c", "label": "mua"}]
    )
    export = to_spikeinterface_curation(state, sorting.unit_ids)
    assert export["merges"] == [{"unit_ids": ["a", "b"], "new_unit_id": "a+b"}]  # the page's display id
    curated = apply_curation(sorting, export)
    assert sorted(curated.unit_ids) == ["a+b", "c"]
    assert normalize_curation(to_sortingview_json(state)) == state
