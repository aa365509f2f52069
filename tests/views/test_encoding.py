import base64
import zlib

import numpy as np
import pytest

from spikeinterface_sortingview import views
from spikeinterface_sortingview.views import FigureDataError, canonical_json, decode_ndarray, encode_ndarray


@pytest.mark.parametrize("dtype", ["uint8", "int16", "uint16", "int32", "uint32", "float32"])
@pytest.mark.parametrize("size", [0, 7, 5000])
def test_ndarray_round_trip_is_exact(dtype, size):
    rng = np.random.default_rng(0)
    array = (rng.random((size, 3)) * 100).astype(dtype)
    encoded = encode_ndarray(array)
    assert encoded["dtype"] == dtype and encoded["shape"] == [size, 3]
    np.testing.assert_array_equal(decode_ndarray(encoded), array)


def test_large_compressible_arrays_use_zlib_not_gzip_framing():
    array = np.zeros(10000, dtype="int32")
    encoded = encode_ndarray(array)
    assert "data_gzip_b64" in encoded and "data_b64" not in encoded
    raw = zlib.decompress(base64.b64decode(encoded["data_gzip_b64"]))  # zlib header, not gzip's
    assert raw == array.tobytes()


def test_float_noise_is_huffman_coded_and_repetitive_data_deflated_and_both_read_back():
    """Huffman-only coding (no string matching) is a plain zlib stream: any reader inflates it."""
    from spikeinterface_sortingview.views.encoding import compress_array

    noise = np.sort(np.random.default_rng(0).uniform(0, 600, 20_000)).astype("float32")
    repetitive = np.tile(np.arange(64, dtype="float32"), 500)
    huffman = zlib.compressobj(1, zlib.DEFLATED, zlib.MAX_WBITS, 8, zlib.Z_HUFFMAN_ONLY)
    assert compress_array(noise) == huffman.compress(noise.tobytes()) + huffman.flush()
    assert compress_array(repetitive) == zlib.compress(repetitive.tobytes(), 1)
    for array in (noise, repetitive):
        encoded = encode_ndarray(array)
        assert "data_gzip_b64" in encoded
        np.testing.assert_array_equal(decode_ndarray(encoded), array)
        # the same bytes whether the figure's arrays are compressed on the pool or one by one
        assert canonical_json({"a": array}) == canonical_json({"a": array}, parallel=False)


def test_small_arrays_are_raw_little_endian():
    array = np.array([1, 2, 258], dtype=">i4")  # big-endian input
    encoded = encode_ndarray(array)
    assert base64.b64decode(encoded["data_b64"]) == np.array([1, 2, 258], dtype="<i4").tobytes()


def test_int64_is_refused_at_construction_with_the_fix():
    with pytest.raises(FigureDataError, match=r"int64.*astype\('int32'\)"):
        views.AutocorrelogramItem(1, np.linspace(-0.0245, 0.0245, 50, dtype="float32"), np.zeros(49, dtype="int64"))


def test_float64_times_are_refused_with_the_fix():
    with pytest.raises(FigureDataError, match=r"float64.*astype\('float32'\)"):
        views.RasterPlotItem("a", np.array([0.1, 0.2]))


def test_float_counts_are_refused_with_a_cast_to_an_allowed_integer_type():
    edges = np.linspace(-0.0245, 0.0245, 50, dtype="float32")
    with pytest.raises(FigureDataError, match=r"float32.*astype\('int32'\)"):
        views.AutocorrelogramItem(1, edges, np.zeros(49, dtype="float32"))


def test_small_arrays_of_a_figure_are_raw_and_larger_ones_compressed():
    """Under 512 bytes an array is written raw (tens of thousands of correlograms: no inflating each in the page)."""
    small, large = np.zeros(127, dtype="int32"), np.zeros(128, dtype="int32")
    assert "data_b64" in encode_ndarray(small) and "data_gzip_b64" in encode_ndarray(large)


def test_mismatched_lengths_are_refused():
    with pytest.raises(FigureDataError, match="spikeAmplitudes has 2"):
        views.SpikeAmplitudesItem(3, np.zeros(3, "float32"), np.zeros(2, "float32"))
    with pytest.raises(FigureDataError, match="bin edges"):
        views.AutocorrelogramItem(1, np.zeros(10, "float32"), np.zeros(10, "int32"))


def test_waveform_must_be_channels_by_samples():
    with pytest.raises(FigureDataError, match=r"\(num_channels, num_samples\)"):
        views.AverageWaveformItem(1, ["a", "b"], np.zeros((60, 2), "float32"))


def test_percentiles_must_be_two_or_four():
    waveform = np.zeros((2, 60), "float32")
    with pytest.raises(FigureDataError, match="2 or 4"):
        views.AverageWaveformItem(1, ["a", "b"], waveform, waveform_percentiles=[waveform] * 3)


def test_non_string_keys_and_nan_are_refused():
    with pytest.raises(FigureDataError, match="keys must be strings"):
        canonical_json({"a": {1: 2}})
    with pytest.raises(FigureDataError, match="NaN"):
        canonical_json({"a": float("nan")})
    with pytest.raises(FigureDataError, match="int or a str"):
        views.UnitLocationsItem(1.5, 0, 0)


def test_nan_metric_values_are_left_out_of_rows():
    row = views.UnitsTableRow(4, {"snr": np.float64("nan"), "firing_rate": np.float32(2.5), "label": np.str_("x")})
    assert row.to_dict() == {"unitId": 4, "values": {"firing_rate": 2.5, "label": "x"}}


def test_unit_ids_keep_their_type():
    assert views.UnitLocationsItem(np.int64(7), 0, 0).to_dict()["unitId"] == 7
    assert views.UnitLocationsItem(np.str_("7"), 0, 0).to_dict()["unitId"] == "7"


def test_channel_locations_are_keyed_by_string_ids():
    view = views.ElectrodeGeometry([0, 1], np.array([[0.0, 1.5], [16.0, 20.0]]))
    assert view.to_dict()["channelLocations"] == {"0": [0.0, 1.5], "1": [16.0, 20.0]}


def test_canonical_json_is_sorted_and_compact():
    assert canonical_json({"b": 1, "a": [np.int32(2), np.float32(0.5)]}) == b'{"a":[2,0.5],"b":1}'
