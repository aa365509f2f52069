"""Sortings shared by copy: spike trains, unit ids, properties and segments survive."""

from __future__ import annotations

import numpy as np
import spikeinterface.core as sc
from extractor_helpers import store_files

import spikeinterface_sortingview as sv
from extractors import StoreSortingExtractor


def assert_same_spikes(loaded, sorting):
    assert list(loaded.unit_ids) == list(sorting.unit_ids)
    assert loaded.get_num_segments() == sorting.get_num_segments()
    assert loaded.get_sampling_frequency() == sorting.get_sampling_frequency()
    for segment_index in range(sorting.get_num_segments()):
        for unit_id in sorting.unit_ids:
            np.testing.assert_array_equal(
                loaded.get_unit_spike_train(unit_id, segment_index=segment_index),
                sorting.get_unit_spike_train(unit_id, segment_index=segment_index),
            )
        np.testing.assert_array_equal(
            loaded.get_unit_spike_train(
                sorting.unit_ids[0], segment_index=segment_index, start_frame=100, end_frame=9000
            ),
            sorting.get_unit_spike_train(
                sorting.unit_ids[0], segment_index=segment_index, start_frame=100, end_frame=9000
            ),
        )


def test_generated_sorting_round_trips(store):
    sorting = sc.generate_sorting(num_units=7, sampling_frequency=20_000.0, durations=[3.0, 1.5, 2.0], seed=5)
    loaded = sv.load_sorting(sv.share_sorting(sorting))
    assert isinstance(loaded, StoreSortingExtractor)
    assert_same_spikes(loaded, sorting)
    np.testing.assert_array_equal(loaded.to_spike_vector(), sorting.to_spike_vector())


def test_properties_and_annotations_survive(store, ground_truth):
    _, sorting = ground_truth
    sorting = sorting.clone()
    sorting.set_property("quality", np.array(["good", "mua", "good", "noise", "good", "mua"]))
    sorting.annotate(sorter="kilosort4")
    loaded = sv.load_sorting(sv.share_sorting(sorting))
    assert_same_spikes(loaded, sorting)
    for name in ("gt_unit_locations", "main_channel_id", "quality"):
        np.testing.assert_array_equal(loaded.get_property(name), sorting.get_property(name))
    assert loaded.get_annotation("sorter") == "kilosort4"


def test_string_unit_ids_and_empty_units(store):
    sorting = sc.NumpySorting.from_unit_dict(
        [{"a": np.array([5, 50, 500]), "b": np.array([], dtype="int64"), "c": np.array([7])}], sampling_frequency=1000.0
    )
    loaded = sv.load_sorting(sv.share_sorting(sorting))
    assert_same_spikes(loaded, sorting)
    assert loaded.get_unit_spike_train("b").size == 0


def test_sharing_a_sorting_twice_stores_nothing_new(store, ground_truth):
    first = sv.share_sorting(ground_truth[1])
    before = store_files(store)
    assert sv.share_sorting(ground_truth[1]) == first
    assert store_files(store) == before


def test_copy_sorting_extractor_returns_the_store_backed_copy(store, ground_truth):
    copy = sv.copy_sorting_extractor(ground_truth[1])
    assert isinstance(copy, StoreSortingExtractor)
    assert copy.check_serializability("json")
    assert_same_spikes(copy, ground_truth[1])
