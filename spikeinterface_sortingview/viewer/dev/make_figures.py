"""Builds test figures for the viewer from generated SpikeInterface data (dev only).

    python dev/make_figures.py small gallery raster big   # any subset

Writes figure files into dev/store (kachery layout) and records their URIs in
dev/store/figures.json; serve the folder with dev/serve.py and open the printed URLs.
"""

from __future__ import annotations

import base64
import io
import json
import sys
import time
from pathlib import Path

import numpy as np

from figure_writer import Writer, box, mountain, splitter, tabs, view, write_figure

HERE = Path(__file__).resolve().parent
STORE = HERE / "store"
VIEW = "npm://@fi-sci/figurl-sortingview@12/dist"


def make_analyzer(num_units: int, num_channels: int, duration: float, seed: int, neuropixels: bool):
    import spikeinterface.core as sc

    kwargs = {}
    if neuropixels:
        from probeinterface.neuropixels_tools import build_neuropixels_probe

        probe = build_neuropixels_probe("NP1000")
        probe.set_device_channel_indices(np.arange(probe.get_contact_count()))
        kwargs["probe"] = probe
    else:
        kwargs["generate_probe_kwargs"] = dict(num_columns=2, xpitch=32, ypitch=25, contact_shapes="square", contact_shape_params={"width": 12})
    rec, sorting = sc.generate_ground_truth_recording(
        durations=[duration], num_units=num_units, num_channels=num_channels, seed=seed, **kwargs
    )
    analyzer = sc.create_sorting_analyzer(sorting, rec, sparse=True, format="memory")
    analyzer.compute(["random_spikes", "templates", "noise_levels"], extension_params={"random_spikes": {"max_spikes_per_unit": 200}})
    analyzer.compute("correlograms", window_ms=50.0, bin_ms=1.0)
    analyzer.compute(["template_similarity", "unit_locations", "spike_amplitudes"], n_jobs=1, progress_bar=False)
    if num_units <= 50:  # only the gallery shows spike locations; skip the cost for the big figure
        analyzer.compute("spike_locations", n_jobs=1, progress_bar=False)
    analyzer.compute("quality_metrics", metric_names=["firing_rate", "num_spikes", "snr", "isi_violation", "presence_ratio"])
    return analyzer


def ids(analyzer) -> list:
    return [int(u) if isinstance(u, (int, np.integer)) else str(u) for u in analyzer.unit_ids]


def channel_locations(analyzer) -> dict:
    locs = analyzer.get_channel_locations()
    return {str(ch): locs[i].astype("float32") for i, ch in enumerate(analyzer.channel_ids)}


def spike_trains(analyzer) -> dict:
    sorting = analyzer.sorting
    fs = sorting.sampling_frequency
    return {u: (sorting.get_unit_spike_train(u, segment_index=0) / fs).astype("float32") for u in analyzer.unit_ids}


def units_table(analyzer, similarity: bool) -> dict:
    qm = analyzer.get_extension("quality_metrics").get_data()
    cols = [("firing_rate", "float"), ("num_spikes", "int"), ("snr", "float"), ("isi_violations_ratio", "float"), ("presence_ratio", "float")]
    rows = []
    for u, uid in zip(analyzer.unit_ids, ids(analyzer)):
        values = {}
        for k, dt in cols:
            v = qm.loc[u, k]
            if dt == "float" and np.isnan(v):
                continue
            # upstream writes rounded floats as text; exercise that path
            values[k] = int(v) if dt == "int" else np.format_float_positional(v, precision=4, fractional=False)
        rows.append({"unitId": uid, "values": values})
    out = {"columns": [{"key": k, "label": k, "dtype": dt} for k, dt in cols], "rows": rows}
    if similarity:
        out["similarityScores"] = similarity_scores(analyzer)
    return view("UnitsTable", **out)


def similarity_scores(analyzer) -> list:
    sim = analyzer.get_extension("template_similarity").get_data()
    u = ids(analyzer)
    return [{"unitId1": a, "unitId2": b, "similarity": float(sim[i, j])} for i, a in enumerate(u) for j, b in enumerate(u)]


def average_waveforms(analyzer) -> dict:
    templates = analyzer.get_extension("templates")
    mean = templates.get_templates(operator="average")
    std = templates.get_templates(operator="std")
    sparsity = analyzer.sparsity
    items = []
    for i, (u, uid) in enumerate(zip(analyzer.unit_ids, ids(analyzer))):
        chans = sparsity.unit_id_to_channel_indices[u]
        items.append(
            {
                "unitId": uid,
                "channelIds": [str(analyzer.channel_ids[c]) for c in chans],
                "waveform": mean[i][:, chans].T.astype("float32"),  # (num_channels, num_samples)
                "waveformStdDev": std[i][:, chans].T.astype("float32"),
            }
        )
    return view("AverageWaveforms", averageWaveforms=items, channelLocations=channel_locations(analyzer), showReferenceProbe=False)


def correlograms(analyzer, min_similarity: float = 0.2) -> tuple[dict, dict]:
    ccgs, bins = analyzer.get_extension("correlograms").get_data()
    sim = analyzer.get_extension("template_similarity").get_data()
    u = ids(analyzer)
    edges = (bins / 1000.0).astype("float32")
    auto = [{"unitId": a, "binEdgesSec": edges, "binCounts": ccgs[i, i].astype("int32")} for i, a in enumerate(u)]
    cross = [
        {"unitId1": a, "unitId2": u[j], "binEdgesSec": edges, "binCounts": ccgs[i, j].astype("int32")}
        for i, a in enumerate(u)
        for j in range(i, len(u))
        if sim[i, j] >= min_similarity
    ]
    return view("Autocorrelograms", autocorrelograms=auto), view("CrossCorrelograms", crossCorrelograms=cross, hideUnitSelector=True)


def spike_amplitudes(analyzer) -> dict:
    amps = analyzer.get_extension("spike_amplitudes").get_data(outputs="by_unit")[0]
    trains = spike_trains(analyzer)
    units = [{"unitId": uid, "spikeTimesSec": trains[u], "spikeAmplitudes": amps[u].astype("float32")} for u, uid in zip(analyzer.unit_ids, ids(analyzer))]
    dur = analyzer.get_total_duration()
    return view("SpikeAmplitudes", startTimeSec=0.0, endTimeSec=float(dur), units=units, hideUnitSelector=True)


def unit_locations(analyzer) -> dict:
    locs = analyzer.get_extension("unit_locations").get_data()
    units = [{"unitId": uid, "x": float(locs[i, 0]), "y": float(locs[i, 1])} for i, uid in enumerate(ids(analyzer))]
    return view("UnitLocations", units=units, channelLocations=channel_locations(analyzer), disableAutoRotate=False)


def raster(analyzer) -> dict:
    trains = spike_trains(analyzer)
    plots = [{"unitId": uid, "spikeTimesSec": trains[u]} for u, uid in zip(analyzer.unit_ids, ids(analyzer))]
    return view("RasterPlot", startTimeSec=0.0, endTimeSec=float(analyzer.get_total_duration()), plots=plots)


def curation_view() -> dict:
    return view("SortingCuration2", labelChoices=["accept", "reject", "noise", "artifact", "mua"])


def summary_layout(analyzer) -> dict:
    """The layout of SpikeInterface's plot_sorting_summary(backend="sortingview") with curation."""
    auto, cross = correlograms(analyzer)
    left = splitter("vertical", units_table(analyzer, similarity=True), curation_view())
    right = splitter(
        "horizontal",
        unit_locations(analyzer),
        splitter("horizontal", average_waveforms(analyzer), splitter("vertical", spike_amplitudes(analyzer), cross)),
        props=[{"stretch": 0.2}, {}],
    )
    return splitter("horizontal", left, right)


def png_data_url(size: int = 120, hue: int = 0) -> str:
    from PIL import Image

    y, x = np.mgrid[0:size, 0:size]
    img = np.stack([(x * 255 // size + hue) % 256, y * 255 // size, np.full_like(x, 180)], axis=-1).astype("uint8")
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def tiled_image(writer: Writer) -> dict:
    """A small Deep Zoom pyramid made by hand (levels 1..N, N holds full resolution)."""
    from PIL import Image

    w, h, ts = 1000, 700, 256
    y, x = np.mgrid[0:h, 0:w]
    rgb = np.stack([(x // 4) % 256, (y // 3) % 256, ((x + y) // 8 % 2) * 200], axis=-1).astype("uint8")
    full = Image.fromarray(rgb)
    n = int(np.ceil(np.log2(max(w, h))))
    files = {}
    for z in range(1, n + 1):
        f = 2 ** (n - z)
        lw, lh = max(1, int(np.ceil(w / f))), max(1, int(np.ceil(h / f)))
        level = full.resize((lw, lh))
        for j in range(int(np.ceil(lw / ts))):
            for k in range(int(np.ceil(lh / ts))):
                tile = level.crop((j * ts, k * ts, min(lw, (j + 1) * ts), min(lh, (k + 1) * ts)))
                buf = io.BytesIO()
                tile.save(buf, format="JPEG")
                files[f"{z}_{j}_{k}"] = store_bytes(writer, buf.getvalue())
    return view("TiledImage", layers=[{"label": "pattern", "tileSize": ts, "width": w, "height": h, "numZoomLevels": n, "imageFiles": files}])


def store_bytes(writer: Writer, data: bytes) -> str:
    import hashlib

    hsh = hashlib.sha1(data).hexdigest()
    p = writer.store / "sha1" / hsh[0:2] / hsh[2:4] / hsh[4:6] / hsh
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data)
    return f"sha1://{hsh}"


def gallery_layout(analyzer, writer: Writer) -> dict:
    """Every other view type, behind tabs, plus the other layout kinds."""
    auto, cross = correlograms(analyzer)
    u = ids(analyzer)
    trains = spike_trains(analyzer)
    sl = analyzer.get_extension("spike_locations").get_data(outputs="by_unit")[0]
    spike_locs = view(
        "SpikeLocations",
        units=[{"unitId": uid, "spikeTimesSec": trains[uu], "xLocations": sl[uu]["x"].astype("float32"), "yLocations": sl[uu]["y"].astype("float32")} for uu, uid in zip(analyzer.unit_ids, u)],
        xRange=[-50.0, 100.0],
        yRange=[-50.0, 450.0],
        channelLocations=channel_locations(analyzer),
        hideUnitSelector=False,
        disableAutoRotate=False,
    )
    qm = analyzer.get_extension("quality_metrics").get_data()
    metrics = view(
        "UnitMetricsGraph",
        metrics=[{"key": k, "label": k, "dtype": "float"} for k in ["firing_rate", "snr", "isi_violations_ratio"]],
        units=[{"unitId": uid, "values": {k: float(qm.loc[uu, k]) for k in ["firing_rate", "snr", "isi_violations_ratio"] if not np.isnan(qm.loc[uu, k])}} for uu, uid in zip(analyzer.unit_ids, u)],
    )
    sim = view("UnitSimilarityMatrix", unitIds=u, similarityScores=similarity_scores(analyzer))
    rec = analyzer.recording
    summary = view(
        "Summary",
        recordingDescription="generated ground-truth recording",
        sortingDescription="ground-truth sorting",
        unitIds=u,
        channelIds=[str(c) for c in analyzer.channel_ids],
        samplingFrequency=float(rec.sampling_frequency),
        numFrames=int(rec.get_num_frames()),
        numSegments=1,
        channelLocations=channel_locations(analyzer),
        noiseLevel=float(np.median(analyzer.get_extension("noise_levels").get_data())),
    )
    t = np.arange(0, 60, 0.01, dtype="float64")
    ts = view(
        "TimeseriesGraph",
        datasets=[
            {"name": "sine", "data": {"t": t.astype("float32"), "y": np.sin(t * 2).astype("float32")}},
            {"name": "events", "data": {"t": np.arange(1, 60, 5, dtype="float32"), "y": np.ones(12, dtype="float32") * 0.5}},
            {"name": "epochs", "data": {"t": np.array([10, 15, 30, 38], dtype="float32"), "y": np.array([0, 1, 0, 1], dtype="int16")}},
        ],
        series=[
            {"type": "line", "dataset": "sine", "encoding": {"t": "t", "y": "y"}, "attributes": {"color": "blue"}, "title": "sine"},
            {"type": "marker", "dataset": "events", "encoding": {"t": "t", "y": "y"}, "attributes": {"color": "red", "radius": 4}, "title": "events"},
            {"type": "interval", "dataset": "epochs", "encoding": {"t": "t", "y": "y"}, "attributes": {"color": "green"}, "title": "epochs"},
        ],
        legendOpts={"location": "northwest"},
    )
    tt = np.arange(0, 60, 0.05)
    pos = np.stack([50 + 40 * np.sin(tt / 3), 50 + 40 * np.cos(tt / 5)], axis=1).astype("float32")
    position = view("PositionPlot", timeOffset=1000.0, timestamps=tt.astype("float32"), positions=pos, dimensionLabels=["x", "y"], discontinuous=False)
    confusion = view(
        "ConfusionMatrix",
        sorting1UnitIds=u[:6],
        sorting2UnitIds=[f"s{i}" for i in range(5)],
        unitEventCounts=[{"unitId": a, "count": 100 + 10 * i} for i, a in enumerate(u[:6])] + [{"unitId": f"s{i}", "count": 90 + 7 * i} for i in range(5)],
        matchingUnitEventCounts=[{"unitId1": u[i], "unitId2": f"s{i}", "count": 80 + 5 * i} for i in range(5)] + [{"unitId1": u[5], "unitId2": "s1", "count": 12}],
    )
    md = view("Markdown", source="# Test figure\n\nThis **gallery** shows every view type.\n\n- item one\n- item `two`\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n<script>alert('x')</script>\n\n[link](https://example.org)")
    images = view("UnitImages", items=[{"unitId": uid, "url": png_data_url(100, 20 * i)} for i, uid in enumerate(u[:8])], itemWidth=100, itemHeight=100)
    plotly = view("PlotlyFigure", fig={"data": [{"type": "scatter", "name": "trace A", "x": [1, 2, 3], "y": [3, 1, 2]}], "layout": {"title": {"text": "A plotly plot"}}})
    ephys = view("EphysTraces", format="spikeinterface.binary", uri="sha1://" + "0" * 40)
    titled = box(
        "vertical",
        [summary, md, view("Image", url=png_data_url(160, 90))],
        props=[{"title": "Summary", "collapsible": True, "maxSize": 260}, {"title": "Markdown", "collapsible": True}, {"title": "Image", "minSize": 120}],
        showTitles=True,
    )
    scrolling = box("vertical", [auto, metrics, view("ElectrodeGeometry", channelLocations=channel_locations(analyzer))], props=[{"minSize": 500}, {"minSize": 400}, {"minSize": 400}], scrollbar=True)
    mountain_layout = mountain(
        [view("SortingSelection"), curation_view(), raster(analyzer), sim, spike_locs],
        [{"label": "Selection", "isControl": True, "controlHeight": 160}, {"label": "Curation", "isControl": True}, {"label": "Raster"}, {"label": "Similarity"}, {"label": "Spike locations"}],
    )
    return tabs(
        [
            splitter("horizontal", units_table(analyzer, similarity=False), tabs([raster(analyzer), auto, cross], ["Raster", "Autocorrelograms", "Cross"], vertical=True), props=[{"maxSize": 520}, {}]),
            mountain_layout,
            titled,
            scrolling,
            box("horizontal", [ts, position]),
            box("horizontal", [confusion, images]),
            box("horizontal", [tiled_image(writer), plotly, ephys]),
        ],
        ["Units + raster", "Mountain", "Titled box", "Scrolling box", "Time series", "Confusion + images", "Images + placeholders"],
    )


def big_raster(writer: Writer, num_units: int = 300, duration: float = 600.0) -> str:
    """~2 M spikes: a raster and spike amplitudes from a generated sorting (no recording needed)."""
    import spikeinterface.core as sc

    rates = np.random.default_rng(0).lognormal(np.log(8), 0.8, num_units)
    rates *= 2_000_000 / (rates.sum() * duration)
    sorting = sc.generate_sorting(num_units=num_units, durations=[duration], firing_rates=rates, seed=1)
    fs = sorting.sampling_frequency
    rng = np.random.default_rng(2)
    plots, amps = [], []
    total = 0
    for u in sorting.unit_ids:
        t = (sorting.get_unit_spike_train(u) / fs).astype("float32")
        total += len(t)
        plots.append({"unitId": int(u), "spikeTimesSec": t})
        amps.append({"unitId": int(u), "spikeTimesSec": t, "spikeAmplitudes": (rng.normal(-80 - int(u) % 50, 10, len(t))).astype("float32")})
    print(f"raster: {total} spikes")
    layout = box(
        "vertical",
        [view("RasterPlot", startTimeSec=0.0, endTimeSec=duration, plots=plots), view("SpikeAmplitudes", startTimeSec=0.0, endTimeSec=duration, units=amps, hideUnitSelector=True)],
        props=[{"stretch": 2}, {"stretch": 1}],
    )
    return write_figure(writer, layout)


def main() -> None:
    which = sys.argv[1:] or ["small", "gallery", "raster"]
    STORE.mkdir(parents=True, exist_ok=True)
    index_path = STORE / "figures.json"
    index = json.loads(index_path.read_text()) if index_path.exists() else {}
    writer = Writer(STORE)
    small = None
    for name in which:
        t0 = time.time()
        if name in ("small", "gallery") and small is None:
            small = make_analyzer(20, 32, 60.0, seed=42, neuropixels=False)
        if name == "small":
            index[name] = write_figure(Writer(STORE, compress=True), summary_layout(small))
        elif name == "gallery":
            index[name] = write_figure(writer, gallery_layout(small, writer))
        elif name == "raster":
            index[name] = big_raster(writer)
        elif name == "big":
            big = make_analyzer(300, 384, 120.0, seed=7, neuropixels=True)
            index[name] = write_figure(writer, summary_layout(big))
        print(f"{name}: {index[name]} ({time.time() - t0:.1f} s)", flush=True)
        index_path.write_text(json.dumps(index, indent=1))
    for name, uri in index.items():
        print(f"{name}: /f?v={VIEW}&d={uri}&label={name}")


if __name__ == "__main__":
    main()
