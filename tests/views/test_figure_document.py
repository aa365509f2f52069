import json

import numpy as np
import pytest

from spikeinterface_sortingview import views
from spikeinterface_sortingview.views import build_figure_files, from_json_value


def markdown(text: str) -> views.Markdown:
    return views.Markdown(text)


def test_single_leaf_is_wrapped_in_a_horizontal_box():
    files = build_figure_files(markdown("hello"))
    document = json.loads(files.document)
    assert document["layout"] == {
        "type": "Box",
        "direction": "horizontal",
        "items": [{"type": "View", "viewId": "1"}],
        "itemProperties": [{}],
    }
    assert document["views"][0]["viewId"] == "1"
    assert document["views"][0]["dataUri"] in files.files


def test_view_ids_follow_a_preorder_walk_counting_layouts():
    a, b, c = markdown("a"), markdown("b"), markdown("c")
    root = views.Box("horizontal", [a, views.Splitter("vertical", b, views.LayoutItem(c, max_size=100))])
    document = json.loads(build_figure_files(root).document)
    assert [v["viewId"] for v in document["views"]] == ["1", "3", "4"]
    splitter = document["layout"]["items"][1]
    assert splitter["type"] == "Splitter" and splitter["itemProperties"] == [{}, {"maxSize": 100}]


def test_tab_and_mountain_layouts():
    tabs = views.TabLayout([views.TabLayoutItem("one", markdown("1"))], tab_bar_layout="vertical")
    mountain = views.MountainLayout(
        [
            views.MountainItem("ctl", views.SortingCuration2(), is_control=True, control_height=200),
            views.MountainItem("view", tabs),
        ]
    )
    layout = json.loads(build_figure_files(mountain).document)["layout"]
    assert layout["type"] == "Mountain"
    assert layout["itemProperties"] == [
        {"label": "ctl", "isControl": True, "controlHeight": 200},
        {"label": "view", "isControl": False},
    ]
    assert layout["items"][1] == {
        "type": "TabLayout",
        "items": [{"type": "View", "viewId": "3"}],
        "itemProperties": [{"label": "one"}],
        "tabBarLayout": "vertical",
    }


def test_same_figure_gives_same_bytes_and_uri():
    def make():
        times = np.arange(100, dtype="float32") / 10
        return views.RasterPlot(0, 10, [views.RasterPlotItem(u, times + u) for u in range(3)])

    first, second = build_figure_files(make()), build_figure_files(make())
    assert first.uri == second.uri and first.document == second.document and first.files == second.files


def test_arrays_come_back_equal_after_decoding():
    rng = np.random.default_rng(1)
    waveform = rng.normal(size=(4, 90)).astype("float32")
    view = views.AverageWaveforms([views.AverageWaveformItem("u1", [0, 1, 2, 3], waveform)])
    files = build_figure_files(view)
    (data,) = files.files.values()
    decoded = from_json_value(json.loads(data))
    np.testing.assert_array_equal(decoded["averageWaveforms"][0]["waveform"], waveform)


def test_timeseries_graph_writes_float32_times_after_offset():
    t = np.array([1000.0, 1000.5, 1001.0])
    graph = views.TimeseriesGraph().add_line_series("x", t, np.array([1, 2, 3], "float32"), color="red")
    data = from_json_value(
        json.loads(
            build_figure_files(graph).files[json.loads(build_figure_files(graph).document)["views"][0]["dataUri"]]
        )
    )
    assert data["timeOffset"] == 1000.0
    np.testing.assert_array_equal(data["datasets"][0]["data"]["t"], np.array([0, 0.5, 1.0], "float32"))
    assert data["series"][0] == {
        "type": "line",
        "dataset": "x_data",
        "encoding": {"t": "t", "y": "y"},
        "attributes": {"color": "red", "width": 1},
        "title": "x",
    }


def test_tiled_image_stores_its_tiles_with_the_figure():
    image = np.zeros((600, 300, 3), dtype="uint8")
    image[:, :, 0] = 255
    view = views.TiledImage([views.TiledImageLayer("red", image, tile_size=256)])
    files = build_figure_files(view)
    layer = view.data()["layers"][0]
    assert layer["numZoomLevels"] == 3 and (layer["width"], layer["height"]) == (300, 600)
    assert set(layer["imageFiles"].values()) <= set(files.files)
    assert "0_1_2" in layer["imageFiles"] and "2_0_0" in layer["imageFiles"]


def test_layout_requires_views():
    with pytest.raises(TypeError):
        views.Box("horizontal", ["not a view"])
    with pytest.raises(ValueError, match="direction"):
        views.Box("diagonal", [markdown("a")])
