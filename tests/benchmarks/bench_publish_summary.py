"""Publish a sorting summary with our ``sortingview`` backend and with SpikeInterface's figpack and sortingview paths.

For each preset (see ``presets.py``) the sorting analyzer is built beforehand and
cached on disk (not timed), and its files are read once so that they are in the
page cache. Then each tool runs ``--repeat`` times (the tools taking turns), each
run in a fresh Python process that loads the analyzer (read-only) and publishes
``plot_sorting_summary``:

* ours: ``plot_sorting_summary(analyzer, backend="sortingview", display=False)``
  into an empty store (``SORTINGVIEW_STORE_DIR``);
* figpack: ``plot_sorting_summary(analyzer, backend="figpack", display=False)``
  then ``widget.view.save(folder, title=...)``, figpack's way to write a figure
  to a local folder without any network (``FigpackView.save`` ->
  ``prepare_figure_bundle``; ``show()`` would start a server or upload);
* sortingview (SpikeInterface 0.105's own, deprecated, path; a baseline only, run when a Python
  with the ``sortingview`` package is found, see ``--sortingview-python``):
  ``plot_sorting_summary(analyzer, backend="sortingview")`` in a process that does not import our
  package, so SpikeInterface's ``plot_sortingview`` builds ``sortingview.views`` and calls
  ``view.url()``, which serializes the figure and stores it with kachery. Kachery is kept offline:
  ``KACHERY_STORE_FILE_DIR`` makes ``store_file`` copy into that local folder (no upload, no API
  key, which is removed from the environment), and ``input()``, which kachery calls before an
  upload it cannot make, raises instead of waiting.

Measured for both tools in the same way, inside the worker process:

* time: wall clock of the publish call only (imports and analyzer loading excluded);
  the fastest run is reported, the machine being shared;
* memory: peak RSS during the publish call above the RSS just before it. The
  kernel's peak (VmHWM) is reset through ``/proc/self/clear_refs`` before the call,
  so loading the analyzer does not count; the process's whole-life peak is reported too;
* bytes: ours, everything the publish wrote to the empty store (the figure and the sorting it shares
  for live compute); figpack, its figure's data (see ``figpack_data_bytes`` for what is excluded);
  sortingview, everything in its kachery store folder.

Usage::

    python tests/benchmarks/bench_publish_summary.py --repeat 3        # both presets, best of 3
    python tests/benchmarks/bench_publish_summary.py --preset small    # the small one only
    python tests/benchmarks/bench_publish_summary.py --preset small --breakdown --profile
    python tests/benchmarks/bench_publish_summary.py --preset hour --tools ours figpack
    python tests/benchmarks/bench_publish_summary.py --sortingview-python /path/to/venv/bin/python

The ``hour`` preset (1,000 units, 22.9 M spikes) runs only when asked for by name.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from presets import DEFAULT_CACHE_DIR, DEFAULT_PRESETS, PRESETS, get_analyzer_folder, load_analyzer  # noqa: E402

TOOLS = ("ours", "figpack", "sortingview")
# Environment variable naming a Python whose environment has the sortingview package (the baseline).
SORTINGVIEW_PYTHON_ENV = "SV_BENCH_SORTINGVIEW_PYTHON"
FIGURE_TITLE = "SpikeInterface - SortingSummary"
RESULT_PREFIX = "BENCH-RESULT "

# ---------------------------------------------------------------- memory of the current process


def read_proc_status_kb(field: str) -> int:
    """A ``kB`` field of ``/proc/self/status`` (``VmRSS``, ``VmHWM``) in kB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS counter (VmHWM) to the current RSS; False if the kernel refuses."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


# ---------------------------------------------------------------- what each tool writes


def tree_bytes(folder: Path) -> int:
    """Total size of the regular files under ``folder``."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def figpack_template_index_bytes() -> int:
    """Size of figpack's stock ``index.html`` (before the figure spec is written into it)."""
    import figpack

    return (Path(figpack.__file__).parent / "figpack-figure-dist" / "index.html").stat().st_size


def figpack_data_bytes(folder: Path) -> dict:
    """Bytes of a saved figpack figure, split into figure data and viewer bundle.

    ``prepare_figure_bundle`` (figpack/core/_bundle_utils.py) writes:

    * ``index.html`` and ``assets/*``: copies of ``figpack/figpack-figure-dist`` (the viewer,
      2.3 MB), except that the figure spec (layout and settings, JSON) is inserted into
      ``index.html``;
    * ``extension-*.js`` and ``extension_manifest.json``: the JavaScript of view extensions
      (here figpack-spike-sorting, 1.5 MB), from the extension package, the same for every figure;
    * ``data.zarr/``: the figure's data, zarr v2 with consolidated metadata (``.zmetadata``,
      JSON with every group's attributes) and all chunks packed into ``_consolidated_N.dat``.

    Figure data = everything under ``data.zarr/`` plus what ``index.html`` gained over the
    stock one (the figure spec). Everything else is viewer code and is not counted.
    """
    data_zarr = tree_bytes(folder / "data.zarr")
    spec = max(0, (folder / "index.html").stat().st_size - figpack_template_index_bytes())
    total = tree_bytes(folder)
    return {"figure_bytes": data_zarr + spec, "data_zarr_bytes": data_zarr, "spec_bytes": spec, "all_bytes": total}


def publish_ours(analyzer, out_dir: Path) -> dict:
    """Publish with our backend into the empty store ``$SORTINGVIEW_STORE_DIR``; return what was stored."""
    import spikeinterface.widgets as sw

    widget = sw.plot_sorting_summary(analyzer, backend="sortingview", display=False)
    assert widget.url, "the sortingview backend returned no URL"
    return {"url": widget.url}


def our_store_bytes(url: str) -> dict:
    """What our publish wrote to the empty store (counted after the timed call, as figpack's folder is)."""
    store_dir = Path(os.environ["SORTINGVIEW_STORE_DIR"])
    return {"figure_bytes": figure_bytes(store_dir, url), "store_bytes": tree_bytes(store_dir)}


def figure_bytes(store_dir: Path, url: str) -> int:
    """Bytes of the figure itself: its MainLayout document, every view file it names and the files they name.

    The rest of the store holds the shared sorting (for live compute in the page), which is data, not
    figure, and is reported apart.
    """
    from spikeinterface_sortingview.store import LocalStore

    store = LocalStore(store_dir)
    document_uri = url.split("&d=")[1].split("&")[0]
    document = store.load_json(document_uri)
    uris = [document_uri]
    for view in document["views"]:
        uris.append(view["dataUri"])
        # the files a view names: the chunks of amplitudes with levels of detail
        uris += [chunk["dataUri"] for chunk in store.load_json(view["dataUri"]).get("chunks", [])]
    return sum(store.path(uri).stat().st_size for uri in uris)


def publish_figpack(analyzer, out_dir: Path) -> dict:
    """Publish with SpikeInterface's figpack backend and save the figure to a local folder."""
    import spikeinterface.widgets as sw

    widget = sw.plot_sorting_summary(analyzer, backend="figpack", display=False)
    folder = out_dir / "figpack-figure"
    widget.view.save(str(folder), title=FIGURE_TITLE)
    return {"folder": str(folder)}


def refuse_input(prompt: str = "") -> str:
    """Stands in for ``input()`` in the sortingview worker: kachery asks before an upload; the benchmark never uploads."""
    raise RuntimeError(f"the sortingview baseline asked for input ({prompt!r}): kachery was about to upload")


def publish_sortingview(analyzer, out_dir: Path) -> dict:
    """Publish with SpikeInterface's own sortingview path, storing the figure in a local kachery folder."""
    import spikeinterface.widgets as sw
    from spikeinterface.widgets.sorting_summary import SortingSummaryWidget

    assert "spikeinterface_sortingview" not in sys.modules, "the baseline must not run our backend"
    assert SortingSummaryWidget.plot_sortingview.__module__ == "spikeinterface.widgets.sorting_summary"
    widget = sw.plot_sorting_summary(analyzer, backend="sortingview", display=True, generate_url=True)
    assert widget.url, "SpikeInterface's sortingview path returned no URL"
    store_dir = Path(os.environ["KACHERY_STORE_FILE_DIR"])
    return {"figure_bytes": tree_bytes(store_dir), "store_bytes": tree_bytes(store_dir), "url": widget.url}


PUBLISHERS = {"ours": publish_ours, "figpack": publish_figpack, "sortingview": publish_sortingview}


def import_tool(tool: str) -> None:
    """Import what a tool needs before timing, so that import time is not counted as publish time."""
    import spikeinterface.widgets  # noqa: F401

    if tool == "ours":
        import spikeinterface_sortingview  # noqa: F401  (registers backend="sortingview")
        import spikeinterface_sortingview.widgets  # noqa: F401  (the view builders, as figpack's views below)
    elif tool == "figpack":
        import figpack.views  # noqa: F401
        import figpack_spike_sorting.views  # noqa: F401
    else:
        import builtins

        import kachery  # noqa: F401
        import sortingview.views  # noqa: F401

        builtins.input = refuse_input


# ---------------------------------------------------------------- worker (one tool, one fresh process)


def run_worker(tool: str, analyzer_dir: Path, out_dir: Path, profile: bool) -> dict:
    """Load the analyzer, publish once with ``tool`` and return the measurements."""
    import_tool(tool)
    analyzer = load_analyzer(analyzer_dir)
    # Resetting VmHWM loses the peak so far: keep it to report the whole-life peak.
    peak_before_kb = read_proc_status_kb("VmHWM")
    peak_reset = reset_peak_rss()
    rss_before_kb = read_proc_status_kb("VmRSS")
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    start = time.perf_counter()
    result = PUBLISHERS[tool](analyzer, out_dir)
    seconds = time.perf_counter() - start
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(str(out_dir / f"{tool}.pstats"))
    peak_kb = read_proc_status_kb("VmHWM")
    if tool == "figpack":
        result.update(figpack_data_bytes(Path(result["folder"])))
    if tool == "ours":
        result.update(our_store_bytes(result["url"]))
    result.update(
        tool=tool,
        seconds=seconds,
        rss_before_mb=rss_before_kb / 1024,
        # without a reset VmHWM may be the loading peak, so the delta is then an upper bound
        peak_delta_mb=(peak_kb - rss_before_kb) / 1024,
        peak_reset=peak_reset,
        process_peak_mb=max(peak_before_kb, peak_kb) / 1024,
    )
    return result


def find_sortingview_python(given: str | None) -> str | None:
    """A Python that can import ``sortingview``: ``given``, else $SV_BENCH_SORTINGVIEW_PYTHON, else this one if it can.

    None when there is none: the sortingview baseline is then left out of the run.
    """
    candidates = [given, os.environ.get(SORTINGVIEW_PYTHON_ENV), sys.executable]
    for python in candidates:
        if python and subprocess.run([python, "-c", "import sortingview.views"], capture_output=True).returncode == 0:
            return python
    return None


def run_tool(tool: str, analyzer_dir: Path, out_dir: Path, profile: bool = False, python: str | None = None) -> dict:
    """Run one tool in a fresh Python process (``python``, default this one) and return its measurements."""
    out_dir.mkdir(parents=True)
    env = dict(os.environ)
    env.update(
        SORTINGVIEW_STORE_DIR=str(out_dir / "store"),
        SORTINGVIEW_HOME=str(out_dir / "home"),  # no user config file
        FIGPACK_UPLOAD="0",
        PYTHONWARNINGS="ignore",
        # the sortingview baseline: kachery stores into a local folder, never uploads
        KACHERY_STORE_FILE_DIR=str(out_dir / "kachery-store"),
        KACHERY_DIR=str(out_dir / "kachery-home"),
    )
    for name in ("KACHERY_API_KEY", "KACHERY_ZONE", "KACHERY_ALLOW_PUBLIC_ZONES", "KACHERY_CLOUD_CLIENT_ID"):
        env.pop(name, None)
    command = [
        python or sys.executable,
        __file__,
        "--worker",
        tool,
        "--analyzer",
        str(analyzer_dir),
        "--out",
        str(out_dir),
    ]
    if profile:
        command.append("--profile")
    # Flush dirty pages first (e.g. from building the analyzer): our store fsyncs the files it
    # writes, and on ext4 an fsync may wait for unrelated writes still in the page cache.
    os.sync()
    proc = subprocess.run(command, env=env, capture_output=True, text=True)
    lines = [line for line in proc.stdout.splitlines() if line.startswith(RESULT_PREFIX)]
    if proc.returncode != 0 or not lines:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-4000:])
        raise RuntimeError(f"{tool} worker failed with exit code {proc.returncode}")
    return json.loads(lines[-1][len(RESULT_PREFIX) :])


# ---------------------------------------------------------------- where the bytes go


def collapse_indices(path: str) -> str:
    """``units[12].spikeAmplitudes`` -> ``units[].spikeAmplitudes``; ``waveform_3/x`` -> ``waveform_*/x``."""
    return re.sub(r"_\d+(?=/|$)", "_*", re.sub(r"\[\d+\]", "[]", path))


def our_store_breakdown(store_dir: Path) -> list[dict]:
    """Per view type and array field of our store: count, raw bytes, stored bytes, how many compressed."""
    import numpy as np

    rows: dict[tuple, dict] = defaultdict(lambda: {"count": 0, "raw": 0, "stored": 0, "compressed": 0})

    def walk(obj, path: str, view: str) -> int:
        """Accumulate the ndarray objects under ``obj``; return the JSON bytes they take."""
        if isinstance(obj, dict) and obj.get("_type") == "ndarray":
            size = len(json.dumps(obj, separators=(",", ":")))
            row = rows[(view, collapse_indices(path))]
            row["count"] += 1
            row["raw"] += int(np.prod(obj["shape"])) * np.dtype(obj["dtype"]).itemsize
            row["stored"] += size
            row["compressed"] += "data_gzip_b64" in obj
            return size
        if isinstance(obj, dict):
            return sum(walk(v, f"{path}.{k}" if path else k, view) for k, v in obj.items())
        if isinstance(obj, list):
            return sum(walk(v, f"{path}[{i}]", view) for i, v in enumerate(obj))
        return 0

    for file in sorted(p for p in store_dir.rglob("*") if p.is_file()):
        data = file.read_bytes()
        try:
            obj = json.loads(data)
        except ValueError:
            rows[("(non-JSON file)", "")]["stored"] += len(data)
            continue
        view = obj.get("type", "?") if isinstance(obj, dict) else "?"
        array_bytes = walk(obj, "", view)
        rows[(view, "(JSON outside arrays)")]["stored"] += len(data) - array_bytes
    return [{"view": v, "field": f, **r} for (v, f), r in sorted(rows.items(), key=lambda kv: -kv[1]["stored"])]


def figpack_breakdown(figure_dir: Path) -> list[dict]:
    """Per view type and array of a figpack figure: count, raw bytes, stored (compressed) bytes, compressor."""
    import numpy as np

    meta = json.loads((figure_dir / "data.zarr" / ".zmetadata").read_text())
    entries = meta["metadata"]
    refs = meta.get("refs", {})
    view_of_group = {
        key[: -len(".zattrs")].rstrip("/"): attrs.get("view_type", "")
        for key, attrs in entries.items()
        if key.endswith(".zattrs")
    }

    def view_of(array: str) -> tuple[str, str]:
        """The innermost non-layout view holding ``array``, and the array's path inside it."""
        parts = array.split("/")
        for n in range(len(parts) - 1, -1, -1):
            view = view_of_group.get("/".join(parts[:n]), "")
            if view and view != "Splitter":
                return view, "/".join(parts[n:])
        return "(layout)", array

    stored_by_array: dict[str, int] = defaultdict(int)
    for chunk_key, (_, _, size) in refs.items():
        stored_by_array[chunk_key.rsplit("/", 1)[0]] += size
    rows: dict[tuple, dict] = defaultdict(lambda: {"count": 0, "raw": 0, "stored": 0, "compressed": 0})
    for key, zarray in entries.items():
        if not key.endswith(".zarray"):
            continue
        array = key[: -len("/.zarray")]
        view, relative = view_of(array)
        row = rows[(view, collapse_indices(relative))]
        row["count"] += 1
        row["raw"] += int(np.prod(zarray["shape"])) * np.dtype(zarray["dtype"]).itemsize
        row["stored"] += stored_by_array.get(array, 0)
        row["compressed"] += bool(zarray.get("compressor"))
    metadata_bytes = (figure_dir / "data.zarr" / ".zmetadata").stat().st_size
    rows[("(all views)", ".zmetadata (attributes, JSON)")]["stored"] += metadata_bytes
    return [{"view": v, "field": f, **r} for (v, f), r in sorted(rows.items(), key=lambda kv: -kv[1]["stored"])]


def print_breakdown(title: str, rows: list[dict], limit: int = 20) -> None:
    """Print the largest rows of a breakdown."""
    total = sum(r["stored"] for r in rows)
    print(f"\n  {title}: {total / 1e6:.3f} MB")
    print(f"    {'view':<34} {'field':<44} {'n':>6} {'raw MB':>9} {'stored MB':>10} {'compressed':>10}")
    for r in rows[:limit]:
        compressed = f"{r['compressed']}/{r['count']}" if r["count"] else ""
        print(
            f"    {r['view'][:34]:<34} {r['field'][:44]:<44} {r['count'] or '':>6} "
            f"{r['raw'] / 1e6:>9.3f} {r['stored'] / 1e6:>10.3f} {compressed:>10}"
        )


def print_profile(pstats_path: Path, limit: int = 25) -> None:
    """Print the functions with the most cumulative and own time from a cProfile dump."""
    import pstats

    stats = pstats.Stats(str(pstats_path))
    print(f"\n  profile {pstats_path.name}, by cumulative time:")
    stats.sort_stats("cumulative").print_stats(limit)
    print(f"\n  profile {pstats_path.name}, by own time:")
    stats.sort_stats("tottime").print_stats(limit)


# ---------------------------------------------------------------- table


def ratio(numerator: float | None, denominator: float | None) -> str:
    """``a / b`` formatted, or ``-`` when undefined."""
    return f"{numerator / denominator:.2f}x" if numerator is not None and denominator else "-"


def number(value: float | None, scale: float = 1.0, digits: int = 2) -> str:
    """A measurement formatted for the table, or ``-`` when the tool was not run."""
    return "-" if value is None else f"{value / scale:.{digits}f}"


def print_table(results: list[dict], profiled: bool = False) -> None:
    """One row per preset: each tool's time, memory and bytes, and the baselines' ratios to ours."""
    header = (
        f"{'preset':<12} {'spikes':>9} | {'ours s':>7} {'fp s':>7} {'fp/ours':>8} {'sv s':>7} {'sv/ours':>8} | "
        f"{'ours MB':>8} {'fp MB':>8} {'ours/fp':>8} {'sv MB':>8} | "
        f"{'ours mem':>8} {'fp mem':>8} {'ours/fp':>8} {'sv mem':>8}"
    )
    print("\n" + header)
    print("-" * len(header))
    for r in results:
        ours, fp, sv = r.get("ours", {}), r.get("figpack", {}), r.get("sortingview", {})
        print(
            f"{r['preset']:<12} {r['num_spikes']:>9} | "
            f"{number(ours.get('seconds')):>7} {number(fp.get('seconds')):>7} "
            f"{ratio(fp.get('seconds'), ours.get('seconds')):>8} {number(sv.get('seconds')):>7} "
            f"{ratio(sv.get('seconds'), ours.get('seconds')):>8} | "
            f"{number(ours.get('store_bytes'), 1e6, 3):>8} {number(fp.get('figure_bytes'), 1e6, 3):>8} "
            f"{ratio(ours.get('store_bytes'), fp.get('figure_bytes')):>8} {number(sv.get('store_bytes'), 1e6, 3):>8} | "
            f"{number(ours.get('peak_delta_mb'), 1, 0):>8} {number(fp.get('peak_delta_mb'), 1, 0):>8} "
            f"{ratio(ours.get('peak_delta_mb'), fp.get('peak_delta_mb')):>8} {number(sv.get('peak_delta_mb'), 1, 0):>8}"
        )
    print(
        "\ns: wall time of the publish call, fastest run (fresh process per run; imports and analyzer loading"
        " excluded)"
        + (" -- PROFILED, times inflated by cProfile" if profiled else "")
        + "\nMB: bytes written, 1e6 (ours: everything in the store, the figure and the sorting it shares for live"
        " compute; fp = figpack: data.zarr + the spec written into index.html, not its viewer bundle;"
        " sv = SpikeInterface's sortingview path: everything in its kachery store folder)"
        "\nmem: peak RSS during the publish call above the RSS before it, MiB (largest run)"
        "\ntargets: fp/ours time >= 10x, sv/ours time >= 4x, ours/fp bytes <= 1;"
        " at the hour also ours/fp mem <= 0.25x"
    )
    for r in results:
        line = f"{r['preset']}: {r['dataset']}, analyzer built in {r['build_seconds']} s (cached)"
        for tool in TOOLS:
            if tool in r:
                line += (
                    f"; {tool} runs {r[tool]['seconds_all']} s, process peak RSS {r[tool]['process_peak_mb']:.0f} MiB"
                )
        if "ours" in r and "store_bytes" in r["ours"]:
            shared = r["ours"]["store_bytes"] - r["ours"]["figure_bytes"]
            line += (
                f"; ours: figure {r['ours']['figure_bytes'] / 1e6:.2f} MB + shared sorting {shared / 1e6:.2f} MB"
                f" ({shared / r['num_spikes']:.2f} bytes a spike)"
            )
        if "figpack" in r:
            fp = r["figpack"]
            line += (
                f"; figpack folder {fp['all_bytes'] / 1e6:.2f} MB in all "
                f"(data.zarr {fp['data_zarr_bytes']} B + spec {fp['spec_bytes']} B counted)"
            )
        print(line)


# ---------------------------------------------------------------- main


def warm_page_cache(folder: Path) -> None:
    """Read every file of ``folder`` once, so that the first timed run does not also pay for the disk."""
    for path in folder.rglob("*"):
        if path.is_file():
            with open(path, "rb") as f:
                while f.read(1 << 24):
                    pass


def summarize_runs(runs: list[dict]) -> dict:
    """One tool's repeated runs as one result: the fastest run's time, the largest memory peak.

    The machine is shared, so the fastest run is the least disturbed one; bytes are the same in every run.
    """
    result = dict(runs[0])
    result["seconds"] = min(r["seconds"] for r in runs)
    result["seconds_all"] = [round(r["seconds"], 3) for r in runs]
    result["peak_delta_mb"] = max(r["peak_delta_mb"] for r in runs)
    result["process_peak_mb"] = max(r["process_peak_mb"] for r in runs)
    return result


def bench_preset(
    name: str,
    tools: list[str],
    cache_dir: Path,
    work_dir: Path,
    n_jobs: int = 1,
    repeat: int = 1,
    breakdown: bool = False,
    profile: bool = False,
    sortingview_python: str | None = None,
) -> dict:
    """Build (or load from the cache) one preset's analyzer, then run each tool ``repeat`` times on it.

    The tools take turns (ours, figpack, sortingview, ours, ...) so that a change in the machine's load hits all.
    ``sortingview_python`` is the Python that runs the sortingview baseline.
    """
    preset = PRESETS[name]
    print(f"[{name}] analyzer for {preset.describe()} ...", flush=True)
    folder, facts = get_analyzer_folder(preset, cache_dir, n_jobs=n_jobs)
    print(f"[{name}] analyzer at {folder} ({facts['num_spikes']} spikes)", flush=True)
    warm_page_cache(folder)
    runs: dict[str, list[dict]] = {tool: [] for tool in tools}
    for index in range(repeat):
        for tool in tools:
            python = sortingview_python if tool == "sortingview" else None
            run = run_tool(tool, folder, work_dir / name / f"{tool}-{index}", profile=profile, python=python)
            runs[tool].append(run)
            print(
                f"[{name}] {tool} run {index + 1}/{repeat}: {run['seconds']:.2f} s, "
                f"{run['figure_bytes'] / 1e6:.3f} MB, +{run['peak_delta_mb']:.0f} MiB peak RSS",
                flush=True,
            )
    row = {
        "preset": name,
        "dataset": preset.describe(),
        "num_spikes": facts["num_spikes"],
        "build_seconds": facts["build_seconds"],
        **{tool: summarize_runs(tool_runs) for tool, tool_runs in runs.items()},
    }
    if breakdown and "ours" in tools:
        store = work_dir / name / "ours-0" / "store"
        print_breakdown(f"[{name}] ours, by view and array", our_store_breakdown(store))
    if breakdown and "figpack" in tools:
        print_breakdown(f"[{name}] figpack, by view and array", figpack_breakdown(Path(row["figpack"]["folder"])))
    if profile:
        for tool in tools:
            print_profile(work_dir / name / f"{tool}-0" / f"{tool}.pstats")
    return row


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--preset",
        choices=[*PRESETS, "all"],
        default="all",
        help=f"which preset to run (default: all = {', '.join(DEFAULT_PRESETS)})",
    )
    parser.add_argument(
        "--tools",
        nargs="+",
        choices=TOOLS,
        default=list(TOOLS),
        help="tools to run (default: all; sortingview only when a Python with the package is found)",
    )
    parser.add_argument(
        "--sortingview-python",
        default=None,
        help=f"a Python whose environment has the sortingview package, for the baseline (default: "
        f"${SORTINGVIEW_PYTHON_ENV}, else this Python if it has the package)",
    )
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE_DIR, help="where analyzers are cached")
    parser.add_argument("--work-dir", type=Path, default=None, help="where figures are written (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the written figures (default: delete them)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per tool; the fastest is reported (default: 1)")
    parser.add_argument("--n-jobs", type=int, default=1, help="processes to build analyzers with (default: 1)")
    parser.add_argument("--breakdown", action="store_true", help="print where the stored bytes go, per view and array")
    parser.add_argument("--profile", action="store_true", help="cProfile the publish call of both tools")
    parser.add_argument("--json", type=Path, default=None, help="also write the results to this JSON file")
    # internal: run one tool in this process (used by run_tool)
    parser.add_argument("--worker", choices=TOOLS, help=argparse.SUPPRESS)
    parser.add_argument("--analyzer", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker:
        result = run_worker(args.worker, args.analyzer, args.out, args.profile)
        print(RESULT_PREFIX + json.dumps(result), flush=True)
        return 0
    names = DEFAULT_PRESETS if args.preset == "all" else [args.preset]
    tools = list(args.tools)
    sortingview_python = None
    if "sortingview" in tools:
        sortingview_python = find_sortingview_python(args.sortingview_python)
        if sortingview_python is None:
            print("sortingview baseline left out: no Python with the sortingview package (see --sortingview-python)")
            tools.remove("sortingview")
    work_dir = args.work_dir or Path(tempfile.mkdtemp(prefix="sv-bench-"))
    for name in names:
        if (work_dir / name).exists():
            shutil.rmtree(work_dir / name)
    try:
        results = [
            bench_preset(
                name,
                tools,
                args.cache_dir,
                work_dir,
                n_jobs=args.n_jobs,
                repeat=args.repeat,
                breakdown=args.breakdown,
                profile=args.profile,
                sortingview_python=sortingview_python,
            )
            for name in names
        ]
    finally:
        if not args.keep:
            shutil.rmtree(work_dir, ignore_errors=True)
    print_table(results, profiled=args.profile)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    if args.keep:
        print(f"figures kept in {work_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
