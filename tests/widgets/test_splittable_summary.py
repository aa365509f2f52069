"""The sorting summary with curation shares what splits need: every spike's features, the recording, the analyzer's PCA."""

from __future__ import annotations

import warnings

import numpy as np
import spikeinterface.full as si
from probeinterface import generate_linear_probe

from extractors.pca_model import load_pca_model
from extractors.share import load_recording
from extractors.spike_features import load_spike_features
from spikeinterface_sortingview.widgets.common import display_precision
from spikeinterface_sortingview.widgets.curation_views import recording_for_runner
from tests.spec_checker import decode
from tests.widgets.test_backend import stored_leaves


def amplitude_view(url: str) -> dict:
    (view,) = [v for v in stored_leaves(url).values() if v["type"] == "SpikeAmplitudes"]
    return view


def test_a_curation_summary_names_its_sorting_and_every_spike_s_features(analyzer):
    widget = si.plot_sorting_summary(analyzer, backend="sortingview", curation=True, display=False)
    view = amplitude_view(widget.url)
    (curation,) = [v for v in stored_leaves(widget.url).values() if v["type"] == "SortingCuration2"]
    assert view["sortingUri"] == curation["sortingUri"]
    columns, values = load_spike_features(view["spikeFeaturesUri"])
    assert columns == ["amplitude", "x", "y"] and values.shape == (analyzer.sorting.count_total_num_spikes(), 3)
    amplitudes = analyzer.get_extension("spike_amplitudes").get_data()
    np.testing.assert_array_equal(values[:, 0], display_precision(amplitudes))
    np.testing.assert_array_equal(values[:, 1], analyzer.get_extension("spike_locations").get_data()["x"].astype("f4"))


def test_a_summary_without_curation_stays_as_it_was(analyzer):
    view = amplitude_view(si.plot_sorting_summary(analyzer, backend="sortingview", display=False).url)
    assert "sortingUri" not in view and "spikeFeaturesUri" not in view


def curation_leaves(analyzer) -> dict[str, dict]:
    """The curation summary's leaf views by type (one of each type here)."""
    widget = si.plot_sorting_summary(analyzer, backend="sortingview", curation=True, display=False)
    return {v["type"]: v for v in stored_leaves(widget.url).values()}


def test_a_curation_summary_holds_the_feature_view_and_merge_suggestions_on_the_shared_recording(analyzer):
    leaves = curation_leaves(analyzer)
    features, suggestions, amplitudes = leaves["FeatureView"], leaves["MergeSuggestions"], leaves["SpikeAmplitudes"]
    sorting_uri = leaves["SortingCuration2"]["sortingUri"]
    assert features["sortingUri"] == suggestions["sortingUri"] == amplitudes["sortingUri"] == sorting_uri
    assert features["recordingUri"] == suggestions["recordingUri"] == amplitudes["recordingUri"]
    # the generated recording is small: copied into the store, so the runner reads the same traces
    shared = load_recording(features["recordingUri"])
    np.testing.assert_array_equal(
        shared.get_traces(start_frame=1000, end_frame=1100),
        analyzer.recording.get_traces(start_frame=1000, end_frame=1100),
    )
    assert "pcaModelUri" not in features  # no principal_components extension: the runner fits its own PCA
    # each drawn amplitude names its spike's position in its unit's train, so the page can draw split parts
    for item in amplitudes["units"]:
        train = analyzer.sorting.get_unit_spike_train(item["unitId"], segment_index=0)
        positions = decode(item["spikeIndices"], "spikeIndices")
        times = (train[positions] / analyzer.sampling_frequency).astype("float32")
        np.testing.assert_array_equal(decode(item["spikeTimesSec"], "spikeTimesSec"), times)


def test_the_curation_summary_uses_the_analyzer_s_principal_components(analyzer, tmp_path):
    copy = analyzer.save_as(format="memory")
    copy.compute("principal_components", n_components=3, verbose=False)
    features = curation_leaves(copy)["FeatureView"]
    manifest, arrays = load_pca_model(features["pcaModelUri"])
    assert manifest["mode"] == "by_channel_local" and manifest["whiten"] and manifest["n_components"] == 3
    model = copy.get_extension("principal_components").get_pca_model()[0]
    np.testing.assert_allclose(
        arrays["components"][0], model.components_[:2] / np.sqrt(model.explained_variance_[:2])[:, None]
    )


def test_without_a_recording_the_curation_summary_says_what_is_missing(analyzer, tmp_path):
    analyzer.save_as(format="binary_folder", folder=tmp_path / "analyzer")
    for name in ("recording.json", "recording.pickle"):
        (tmp_path / "analyzer" / name).unlink(missing_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SpikeInterface notes the missing recording
        without = si.load_sorting_analyzer(tmp_path / "analyzer")
    leaves = curation_leaves(without)
    assert "FeatureView" not in leaves and "MergeSuggestions" not in leaves
    note = leaves["Markdown"]["source"]
    assert "Feature view and merge suggestions" in note and "set_temporary_recording" in note
    assert "recordingUri" not in leaves["SpikeAmplitudes"] and "spikeFeaturesUri" in leaves["SpikeAmplitudes"]


def test_a_large_recording_not_in_binary_files_is_not_copied():
    # lazy generated traces of 1 GB: nothing is read unless they are copied
    big = si.NoiseGeneratorRecording(num_channels=64, sampling_frequency=30000.0, durations=[140.0])
    probe = generate_linear_probe(num_elec=64)
    probe.set_device_channel_indices(np.arange(64))
    big.set_probe(probe, in_place=True)
    sorting = si.generate_sorting(num_units=2, durations=[140.0], seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lazy = si.create_sorting_analyzer(sorting, big, sparse=False)
    uri, missing = recording_for_runner(lazy)
    assert uri is None and "1.0 GB" in missing and "format='binary'" in missing and "256 MB" in missing
