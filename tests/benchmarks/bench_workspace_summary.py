"""First open and reopen of a workspace summary computed by the runner, against SpikeInterface computing it here.

The recording: the preset analyzers of ``presets.py`` are saved *without* their recording (a generated,
lazy one), and the runner reads recordings only by URI, from files. So this benchmark writes the preset's
generated recording once to a binary folder (int16, in ``<cache_dir>/<preset>-<key>/recording``) with its
ground-truth sorting (``sorting``, a numpy folder), and registers both in place in a workspace. The full
``neuropixels`` preset (384 channels, 600 s, 300 units) writes a 13.8 GB file (214 s here) and takes about
five minutes more with ``--no-cached-run``; ``--preset np-short`` (384 Neuropixels channels, 30 s, 100 units)
is the quick run. Both are reported in the README.

Measured, in one run, on the same recording and sorting:

* ours, first open: a real ``sv-runner start`` (its own local Ray, every CPU, started before), an empty store; from
  ``W.spikesortingview(...)`` to the job's result (the summary's figure written to the store), polling as the
  page does (a service query with ``wait``). It includes the runner's worker starting a Ray task and
  SpikeInterface compiling its numba code in that worker, as a user's first open does.
* baseline: SpikeInterface in a fresh Python process, ``create_sorting_analyzer(sparse=True, format="memory")``
  and ``compute`` of the same extensions with the same parameters, ``n_jobs`` = the machine's cores. Its
  imports and loading are not timed; its numba compilation is (as the worker's is).
* ours, first open with SpikeInterface's kernels compiled before: the same, on a second runner (fresh processes,
  an empty store) that finds the numba file cache the first one wrote (``spikeinterface_sortingview/numba_cache.py``;
  both runners use a cache folder of this run, so the first one starts cold). What a user's summary takes once
  any summary was computed on that machine.
* ours, reopen: ``W.spikesortingview(...)`` again and the page's first query, answered from the runner's
  result cache, plus reading the figure document (target < 1 s).

Usage::

    python tests/benchmarks/bench_workspace_summary.py --preset np-short
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

from presets import DEFAULT_CACHE_DIR, PRESETS, Preset, generate_recording  # noqa: E402

EXTRA_PRESETS = {
    # Neuropixels 1.0 geometry and channel count, shorter: what one run on a shared small machine can hold.
    "np-short": Preset(name="np-short", probe="NP1000", num_channels=384, duration_s=30.0, num_units=100),
}

BASELINE = """
import json, sys, time, warnings
warnings.simplefilter("ignore")
import spikeinterface.full as si
from spikeinterface_sortingview.demo import DEMO_QUALITY_METRICS, SUMMARY_EXTENSIONS
recording = si.read_binary_folder(sys.argv[1])
sorting = si.read_numpy_sorting_folder(sys.argv[2])
n_jobs = int(sys.argv[3])
started = time.perf_counter()
analyzer = si.create_sorting_analyzer(sorting, recording, sparse=True, format="memory", job_kwargs={"n_jobs": n_jobs})
params = {
    "random_spikes": {"max_spikes_per_unit": 500, "seed": 0},
    "waveforms": {"ms_before": 1.0, "ms_after": 2.0},
    "quality_metrics": {"metric_names": DEMO_QUALITY_METRICS},
}
for name in SUMMARY_EXTENSIONS:
    analyzer.compute(name, **params.get(name, {}), n_jobs=n_jobs, progress_bar=False, verbose=False)
print(json.dumps({"seconds": time.perf_counter() - started}))
"""


def shared_files(preset: Preset, cache_dir: Path) -> tuple[Path, Path]:
    """The preset's recording (binary folder, int16) and ground-truth sorting (numpy folder), written once."""
    folder = Path(cache_dir) / f"{preset.name}-{preset.key()}"
    recording_folder, sorting_folder = folder / "recording", folder / "sorting"
    marker = folder / "files-complete"
    if not marker.exists():
        shutil.rmtree(recording_folder, ignore_errors=True)
        shutil.rmtree(sorting_folder, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)
        recording, sorting = generate_recording(preset)
        started = time.perf_counter()
        recording.save(
            folder=recording_folder, format="binary", dtype="int16", n_jobs=os.cpu_count(), chunk_duration="1s"
        )
        sorting.save(folder=sorting_folder, format="numpy_folder")
        print(f"wrote the recording in {time.perf_counter() - started:.0f} s")
        marker.write_text("ok")
    return recording_folder, sorting_folder


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_result(url: str, task_input: dict, deadline: float) -> dict:
    """Poll as the summary page does (service query with wait) until the job's result."""
    from spikeinterface_sortingview.workspace.summary import SUMMARY_TASK

    last = None
    while time.monotonic() < deadline:
        query = {"taskName": SUMMARY_TASK, "taskInput": task_input, "wait": 1}
        reply = httpx.post(f"{url}/api", json={"serviceName": "sortingview", "query": query}, timeout=60)
        if reply.status_code == 200:
            return reply.json()["result"]
        if reply.status_code != 202:
            raise RuntimeError(f"the summary job failed: {reply.text}")
        phase = (reply.json().get("progress") or {}).get("phase")
        if phase != last:
            print(f"  runner: {phase}", flush=True)
            last = phase
    raise TimeoutError("the summary job did not finish in time")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", default="np-short", choices=sorted({**PRESETS, **EXTRA_PRESETS}))
    parser.add_argument("--cache-dir", default=str(DEFAULT_CACHE_DIR))
    parser.add_argument("--timeout", type=float, default=3600.0)
    parser.add_argument(
        "--no-cached-run", action="store_true", help="leave out the second runner's open (kernels cached)"
    )
    args = parser.parse_args()
    preset = {**PRESETS, **EXTRA_PRESETS}[args.preset]
    cores = os.cpu_count() or 1
    recording_folder, sorting_folder = shared_files(preset, Path(args.cache_dir))

    root = Path(tempfile.mkdtemp(prefix="sv-bench-summary-"))
    port = free_port()
    env = {
        "SORTINGVIEW_HOME": str(root / "home"),
        "SORTINGVIEW_STORE_DIR": str(root / "store"),
        "SORTINGVIEW_ADDRESS": f"http://127.0.0.1:{port}",
        "SORTINGVIEW_CONFIG": str(root / "no-config.yaml"),
    }
    os.environ.update(env)
    child_env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    import spikeinterface.full as si

    import spikeinterface_sortingview as sv
    from spikeinterface_sortingview.store import default_store
    from tests.servers import sv_runner_process, wait_for_ray

    rows = {}
    try:
        baseline = subprocess.run(
            [sys.executable, "-c", BASELINE, str(recording_folder), str(sorting_folder), str(cores)],
            capture_output=True,
            text=True,
            env=child_env,
            check=True,
        )
        rows["baseline"] = json.loads(baseline.stdout.strip().splitlines()[-1])["seconds"]
        print(f"baseline (SpikeInterface, n_jobs={cores}): {rows['baseline']:.1f} s", flush=True)

        # SpikeInterface's kernels cached in a folder of this run: the first runner compiles them, the second loads
        child_env["NUMBA_CACHE_DIR"] = str(root / "numba-cache")
        steps = {}
        runs = ("first open",) if args.no_cached_run else ("first open", "first open, kernels cached")
        for run, row in enumerate(runs):
            store = root / f"store-{run}"
            os.environ["SORTINGVIEW_STORE_DIR"] = child_env["SORTINGVIEW_STORE_DIR"] = str(store)
            log = root / f"runner-{run}.log"
            with sv_runner_process(["--log-level", "warning"], child_env, env["SORTINGVIEW_ADDRESS"], log):
                wait_for_ray(env["SORTINGVIEW_ADDRESS"])  # the runner's start-up, not part of opening a summary
                W = sv.create_workspace(label="bench")
                rid = W.add_recording(label=preset.name, recording=si.read_binary_folder(recording_folder))
                sid = W.add_sorting(
                    recording_id=rid, label="ground truth", sorting=si.read_numpy_sorting_folder(sorting_folder)
                )
                task_input = W.summary_task(rid, sid)

                started = time.monotonic()
                W.spikesortingview(recording_id=rid, sorting_id=sid)
                result = wait_for_result(env["SORTINGVIEW_ADDRESS"], task_input, time.monotonic() + args.timeout)
                rows[row] = time.monotonic() - started
                steps[row] = {step["step"]: step["seconds"] for step in result["steps"]}
                print(f"{row}: {rows[row]:.1f} s", flush=True)

                if run == len(runs) - 1:
                    started = time.monotonic()
                    W.spikesortingview(recording_id=rid, sorting_id=sid)
                    again = wait_for_result(env["SORTINGVIEW_ADDRESS"], task_input, time.monotonic() + 60)
                    default_store().load_bytes(again["figureUri"])
                    rows["reopen"] = time.monotonic() - started
                    assert again == result, "the reopen was computed again"
    finally:
        shutil.rmtree(root, ignore_errors=True)

    print()
    print(f"preset {preset.name}: {preset.describe()}, {cores} cores")
    print(f"{'':44}{'seconds':>10}{'ours / baseline':>17}")
    print(f"{'baseline (SpikeInterface, fresh process)':44}{rows['baseline']:>10.1f}")
    for row in runs:
        print(f"{'ours, ' + row:44}{rows[row]:>10.1f}{rows[row] / rows['baseline']:>17.2f}")
    print(f"{'ours, reopen':44}{rows['reopen']:>10.3f}")
    for row, times in steps.items():
        print(f"runner steps, {row} (s): " + ", ".join(f"{name} {seconds:.1f}" for name, seconds in times.items()))


if __name__ == "__main__":
    main()
