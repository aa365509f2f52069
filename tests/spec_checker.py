"""An independent reader of stored figures that checks them against docs/figure-format.md.

It does not use the package's view classes: it reads the stored bytes as a figure
page would and asserts the facts of the format.
"""

from __future__ import annotations

import base64
import json
import re
import zlib

import numpy as np

ALLOWED_DTYPES = {"uint8", "int16", "uint16", "int32", "uint32", "float32"}
LAYOUT_TYPES = {"Box", "Splitter", "TabLayout", "Mountain"}
ITEM_PROPERTY_KEYS = {"minSize", "maxSize", "stretch", "title", "collapsible"}
SHA1_URI = re.compile(r"^sha1://[0-9a-f]{40}$")


class SpecViolation(AssertionError):
    pass


def require(condition: bool, message: str) -> None:
    if not condition:
        raise SpecViolation(message)


def decode(obj: dict, where: str, float64_ok: bool = False) -> np.ndarray:
    """Decode and check an ndarray object."""
    require(obj.get("_type") == "ndarray", f"{where}: expected an ndarray object")
    dtypes = ALLOWED_DTYPES | ({"float64"} if float64_ok else set())
    require(obj["dtype"] in dtypes, f"{where}: dtype {obj['dtype']} is not allowed")
    require(("data_b64" in obj) != ("data_gzip_b64" in obj), f"{where}: needs exactly one of data_b64/data_gzip_b64")
    raw = (
        zlib.decompress(base64.b64decode(obj["data_gzip_b64"]))
        if "data_gzip_b64" in obj
        else base64.b64decode(obj["data_b64"])
    )
    shape = obj["shape"]
    dtype = np.dtype(obj["dtype"]).newbyteorder("<")
    require(len(raw) == int(np.prod(shape)) * dtype.itemsize, f"{where}: byte count does not match shape {shape}")
    return np.frombuffer(raw, dtype=dtype).reshape(shape)


def is_unit_id(value: object) -> bool:
    return isinstance(value, (int, str)) and not isinstance(value, bool)


def check_channel_locations(locations: dict, where: str) -> None:
    require(isinstance(locations, dict) and locations, f"{where}: channelLocations must be a non-empty object")
    for key, xy in locations.items():
        require(isinstance(key, str), f"{where}: channel keys are strings")
        require(isinstance(xy, list) and len(xy) == 2, f"{where}: channel {key} must be [x, y]")
        require(all(isinstance(v, (int, float)) for v in xy), f"{where}: channel {key} coordinates are numbers")


def check_histogram(item: dict, where: str) -> None:
    edges = decode(item["binEdgesSec"], f"{where}.binEdgesSec")
    counts = decode(item["binCounts"], f"{where}.binCounts")
    require(edges.dtype == np.float32, f"{where}: binEdgesSec is float32")
    require(counts.dtype.kind in "iu", f"{where}: binCounts are integers")
    require(len(edges) == len(counts) + 1, f"{where}: edges = counts + 1")
    require(np.all(np.diff(edges) > 0), f"{where}: edges increase")
    require(abs(edges[0] + edges[-1]) < 1e-6, f"{where}: edges are symmetric around 0 (in seconds)")
    require(edges[-1] < 1.0, f"{where}: edges are in seconds")


def check_times(obj: dict, where: str) -> np.ndarray:
    times = decode(obj, where)
    require(times.dtype == np.float32 and times.ndim == 1, f"{where}: spike times are 1-d float32 seconds")
    return times


def check_view(view: dict) -> None:
    """Check one leaf view's JSON against its row of the leaf views table in docs/figure-format.md."""
    kind = view["type"]
    w = kind
    if kind == "Autocorrelograms":
        for i, item in enumerate(view["autocorrelograms"]):
            require(is_unit_id(item["unitId"]), f"{w}[{i}].unitId")
            check_histogram(item, f"{w}[{i}]")
    elif kind == "CrossCorrelograms":
        require(isinstance(view["hideUnitSelector"], bool), f"{w}.hideUnitSelector")
        for i, item in enumerate(view["crossCorrelograms"]):
            require(is_unit_id(item["unitId1"]) and is_unit_id(item["unitId2"]), f"{w}[{i}] unit ids")
            check_histogram(item, f"{w}[{i}]")
    elif kind == "AverageWaveforms":
        if "channelLocations" in view:
            check_channel_locations(view["channelLocations"], w)
        for i, item in enumerate(view["averageWaveforms"]):
            waveform = decode(item["waveform"], f"{w}[{i}].waveform")
            require(waveform.ndim == 2, f"{w}[{i}]: waveform is 2-d")
            require(waveform.shape[0] == len(item["channelIds"]), f"{w}[{i}]: waveform is (num_channels, num_samples)")
            for key in ("waveformStdDev",):
                if key in item:
                    require(decode(item[key], f"{w}[{i}].{key}").shape == waveform.shape, f"{w}[{i}].{key} shape")
            if "waveformPercentiles" in item:
                require(len(item["waveformPercentiles"]) in (2, 4), f"{w}[{i}]: 2 or 4 percentiles")
                for p in item["waveformPercentiles"]:
                    require(decode(p, f"{w}[{i}].percentile").shape == waveform.shape, f"{w}[{i}] percentile shape")
    elif kind == "RasterPlot":
        require(view["endTimeSec"] > view["startTimeSec"], f"{w}: time range")
        for i, item in enumerate(view["plots"]):
            require(is_unit_id(item["unitId"]), f"{w}[{i}].unitId")
            times = check_times(item["spikeTimesSec"], f"{w}[{i}].spikeTimesSec")
            require(times.size == 0 or times.max() <= view["endTimeSec"] + 1e-3, f"{w}[{i}]: times within range")
    elif kind == "SpikeAmplitudes":
        require(isinstance(view["hideUnitSelector"], bool), f"{w}.hideUnitSelector")
        for i, item in enumerate(view["units"]):
            times = check_times(item["spikeTimesSec"], f"{w}[{i}].spikeTimesSec")
            amps = decode(item["spikeAmplitudes"], f"{w}[{i}].spikeAmplitudes")
            require(len(times) == len(amps), f"{w}[{i}]: times and amplitudes match")
            if "spikeIndices" in item:
                positions = decode(item["spikeIndices"], f"{w}[{i}].spikeIndices")
                require(positions.dtype == np.int32 and len(positions) == len(times), f"{w}[{i}].spikeIndices")
                require(bool(np.all(np.diff(positions) > 0)), f"{w}[{i}].spikeIndices ascending")
        for key in ("sortingUri", "spikeFeaturesUri", "recordingUri"):
            require(key not in view or SHA1_URI.match(view[key]) is not None, f"{w}.{key}")
        previous_end = view["startTimeSec"]
        for i, chunk in enumerate(view.get("chunks", [])):
            require(set(chunk) == {"startTimeSec", "endTimeSec", "numSpikes", "dataUri"}, f"{w}.chunks[{i}] fields")
            require(SHA1_URI.match(chunk["dataUri"]) is not None, f"{w}.chunks[{i}].dataUri")
            require(chunk["startTimeSec"] == previous_end, f"{w}.chunks[{i}] starts where the previous one ends")
            previous_end = chunk["endTimeSec"]
    elif kind == "UnitsTable":
        keys = set()
        for column in view["columns"]:
            require(set(column) == {"key", "label", "dtype"}, f"{w}: column fields")
            require(column["dtype"] in ("int", "float", "str", "bool"), f"{w}: column dtype {column['dtype']}")
            keys.add(column["key"])
        for row in view["rows"]:
            require(is_unit_id(row["unitId"]), f"{w}: row unitId")
            require(set(row["values"]) <= keys, f"{w}: row values name columns")
        for score in view.get("similarityScores", []):
            require(set(score) == {"unitId1", "unitId2", "similarity"}, f"{w}: similarity score fields")
    elif kind == "UnitSimilarityMatrix":
        ids = set(view["unitIds"])
        for score in view["similarityScores"]:
            require(score["unitId1"] in ids and score["unitId2"] in ids, f"{w}: scores name known units")
    elif kind == "UnitLocations":
        check_channel_locations(view["channelLocations"], w)
        require(isinstance(view["disableAutoRotate"], bool), f"{w}.disableAutoRotate")
        for unit in view["units"]:
            require(set(unit) == {"unitId", "x", "y"}, f"{w}: unit fields")
    elif kind == "SpikeLocations":
        check_channel_locations(view["channelLocations"], w)
        require(len(view["xRange"]) == 2 and len(view["yRange"]) == 2, f"{w}: ranges")
        for i, item in enumerate(view["units"]):
            times = check_times(item["spikeTimesSec"], f"{w}[{i}].spikeTimesSec")
            x = decode(item["xLocations"], f"{w}[{i}].xLocations")
            y = decode(item["yLocations"], f"{w}[{i}].yLocations")
            require(len(times) == len(x) == len(y), f"{w}[{i}]: lengths match")
    elif kind == "ElectrodeGeometry":
        check_channel_locations(view["channelLocations"], w)
    elif kind == "UnitMetricsGraph":
        keys = {m["key"] for m in view["metrics"]}
        for m in view["metrics"]:
            require(m["dtype"] in ("int", "float"), f"{w}: metric dtype")
        for unit in view["units"]:
            require(set(unit["values"]) <= keys, f"{w}: unit values name metrics")
    elif kind == "ConfusionMatrix":
        n = len(view["sorting1UnitIds"]) + len(view["sorting2UnitIds"])
        require(len(view["unitEventCounts"]) == n, f"{w}: one event count per unit of both sortings")
        for c in view["matchingUnitEventCounts"]:
            require(c["unitId1"] in view["sorting1UnitIds"], f"{w}: unitId1 from sorting 1")
            require(c["unitId2"] in view["sorting2UnitIds"], f"{w}: unitId2 from sorting 2")
            require(isinstance(c["count"], int) and c["count"] > 0, f"{w}: counts are positive ints")
        n1, n2 = len(view["sorting1UnitIds"]), len(view["sorting2UnitIds"])
        for key, n in (("falseNegativeCounts", n1), ("falsePositiveCounts", n2)):
            if key in view:
                require(len(view[key]) == n and all(isinstance(c, int) for c in view[key]), f"{w}.{key}: one per unit")
    elif kind == "AgreementMatrix":
        scores = decode(view["agreementScores"], f"{w}.agreementScores")
        shape = (len(view["sorting1UnitIds"]), len(view["sorting2UnitIds"]))
        require(scores.shape == shape and scores.dtype == np.float32, f"{w}: scores float32 rows x columns")
        require(len(view["bestMatch12"]) == shape[0], f"{w}: one best match per row")
        for u in view["bestMatch12"]:
            require(u is None or u in view["sorting2UnitIds"], f"{w}: best matches are sorting 2 units")
    elif kind == "GroundTruthComparison":
        check_unit_performance(view, w)
    elif kind == "StudyTable":
        for i, cell in enumerate(view["cells"]):
            require(cell["sorterName"] in view["sorterNames"], f"{w}.cells[{i}].sorterName listed")
            require(cell["recordingName"] in view["recordingNames"], f"{w}.cells[{i}].recordingName listed")
            require(0 <= cell["numWellDetected"] <= cell["numSortedUnits"], f"{w}.cells[{i}].numWellDetected")
            check_unit_performance(cell["units"], f"{w}.cells[{i}].units")
            require(len(cell["units"]["gtUnitIds"]) == cell["numGtUnits"], f"{w}.cells[{i}]: numGtUnits")
    elif kind == "MultiSortingAgreement":
        for i, unit in enumerate(view["units"]):
            require(set(unit["unitIds"]) <= set(view["sortingNames"]), f"{w}.units[{i}] names known sortings")
            require(1 <= unit["agreementNumber"] <= len(view["sortingNames"]), f"{w}.units[{i}].agreementNumber")
    elif kind == "SortingCuration2":
        require(
            set(view) <= {"type", "labelChoices", "sortingUri", "curation"},
            f"{w}: only labelChoices (and sortingUri, curation)",
        )
    elif kind == "EphysTraces":
        require(isinstance(view["format"], str) and SHA1_URI.match(view["uri"].split("?")[0]) is not None, f"{w}.uri")
    elif kind == "Markdown":
        require(isinstance(view["source"], str), f"{w}.source")
    elif kind == "DecodedLinearPositionData":
        values = decode(view["values"], f"{w}.values")
        positions = decode(view["positions"], f"{w}.positions")
        bounds = decode(view["frameBounds"], f"{w}.frameBounds")
        key = decode(view["positionsKey"], f"{w}.positionsKey")
        require(values.dtype.kind in "iu", f"{w}: values are integers")
        require(values.size == 0 or (values.min() >= 0 and values.max() <= 255), f"{w}: values are 0..255")
        require(len(values) == len(positions) == int(bounds.sum()), f"{w}: one position per value; frameBounds sum")
        require(positions.size == 0 or positions.max() < len(key), f"{w}: positions index positionsKey")
        if "observedPositions" in view:
            require(len(decode(view["observedPositions"], f"{w}.observedPositions")) == len(bounds), f"{w}: one/frame")
        require(isinstance(view["startTimeSec"], (int, float)), f"{w}.startTimeSec")
        require(view.get("samplingFrequencyHz", 1) > 0, f"{w}.samplingFrequencyHz")
    elif kind == "TrackAnimation":
        corners = decode(view["trackBinULCorners"], f"{w}.trackBinULCorners")
        times = decode(view["timestamps"], f"{w}.timestamps")
        positions = decode(view["positions"], f"{w}.positions")
        require(corners.ndim == 2 and corners.shape[0] == 2, f"{w}: corners are (2, num_bins)")
        require(times.dtype == np.float32 and positions.shape == (2, len(times)), f"{w}: positions are (2, frames)")
        require(view["xmin"] < view["xmax"] and view["ymin"] < view["ymax"], f"{w}: area")
        require(view["totalRecordingFrameLength"] == len(times), f"{w}.totalRecordingFrameLength")
        if "headDirection" in view:
            require(len(decode(view["headDirection"], f"{w}.headDirection")) == len(times), f"{w}: headDirection")
        if "decodedData" in view:
            d = view["decodedData"]
            values = decode(d["values"], f"{w}.decodedData.values")
            locations = decode(d["locations"], f"{w}.decodedData.locations")
            bounds = decode(d["frameBounds"], f"{w}.decodedData.frameBounds")
            require(d["type"] == "DecodedPositionData" and len(bounds) == len(times), f"{w}: decoded frames")
            require(len(values) == len(locations) == int(bounds.sum()), f"{w}: decoded frameBounds sum")
            require(locations.size == 0 or locations.max() < d["xcount"] * d["ycount"], f"{w}: locations in grid")
    elif kind == "PlotlyFigure":
        require(isinstance(view["fig"], dict) and isinstance(view["fig"].get("data", []), list), f"{w}.fig")
    elif kind in ("FeatureView", "MergeSuggestions"):
        for key in ("sortingUri", "recordingUri", "pcaModelUri"):
            if key in view or key != "pcaModelUri":
                require(SHA1_URI.match(view[key].split("?")[0]) is not None, f"{w}.{key}")
    else:
        raise SpecViolation(f"no check written for view type {kind}")


def check_unit_performance(units: dict, w: str) -> None:
    n = len(units["gtUnitIds"])
    require(len(units["matchedUnitIds"]) == n, f"{w}.matchedUnitIds: one per ground-truth unit")
    for key in ("accuracy", "precision", "recall"):
        values = decode(units[key], f"{w}.{key}")
        require(values.shape == (n,) and values.dtype == np.float32, f"{w}.{key}: float32, one per unit")
    require(decode(units["numGtEvents"], f"{w}.numGtEvents").shape == (n,), f"{w}.numGtEvents: one per unit")


def walk_layout(node: dict, counter: list[int], leaf_ids: list[str]) -> None:
    """Check layout nodes and collect leaf ids in pre-order, counting layouts too."""
    my_id = str(counter[0])
    counter[0] += 1
    if node["type"] == "View":
        require(node["viewId"] == my_id, f"view id {node['viewId']} should be {my_id} (pre-order numbering)")
        leaf_ids.append(my_id)
        return
    require(node["type"] in LAYOUT_TYPES, f"unknown layout type {node['type']}")
    items = node["items"]
    require(len(node["itemProperties"]) == len(items), f"{node['type']}: one itemProperties entry per item")
    if node["type"] == "Splitter":
        require(len(items) == 2, "Splitter has exactly 2 items")
    if node["type"] in ("Box", "Splitter"):
        require(node["direction"] in ("horizontal", "vertical"), "direction")
        for p in node["itemProperties"]:
            require(set(p) <= ITEM_PROPERTY_KEYS, f"itemProperties keys {set(p)}")
            require(all(v is not None for v in p.values()), "only set properties are written")
    if node["type"] == "TabLayout":
        require(all(set(p) == {"label"} for p in node["itemProperties"]), "tab itemProperties are {label}")
    if node["type"] == "Mountain":
        require(all({"label", "isControl"} <= set(p) for p in node["itemProperties"]), "mountain itemProperties")
    for child in items:
        walk_layout(child, counter, leaf_ids)


def load_canonical_json(data: bytes, where: str) -> dict:
    obj = json.loads(data)
    canonical = json.dumps(obj, sort_keys=True, separators=(",", ":"), allow_nan=False).encode()
    require(canonical == data, f"{where}: JSON is not written deterministically (sorted keys, compact)")
    return obj


def check_figure(store, document_uri: str) -> dict[str, dict]:
    """Check a stored figure; return its leaf views' JSON by view id."""
    document = load_canonical_json(store.load_bytes(document_uri), "MainLayout")
    require(document["type"] == "MainLayout", "the top document is a MainLayout")
    require(document["layout"]["type"] in LAYOUT_TYPES, "the root of the layout is a layout (single views are boxed)")
    leaf_ids: list[str] = []
    walk_layout(document["layout"], [0], leaf_ids)
    require([v["viewId"] for v in document["views"]] == leaf_ids, "views list every leaf, in layout order")
    leaves = {}
    for entry in document["views"]:
        require(SHA1_URI.match(entry["dataUri"]) is not None, f"dataUri {entry['dataUri']} is sha1://<hash>")
        view = load_canonical_json(store.load_bytes(entry["dataUri"]), entry["type"])
        require(view["type"] == entry["type"], "view JSON carries its type")
        check_view(view)
        leaves[entry["viewId"]] = view
    return leaves
