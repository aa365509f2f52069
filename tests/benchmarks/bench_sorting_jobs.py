"""Benchmark of sorting jobs: 8 jobs of SpikeInterface's ``simple`` sorter on 60 s recordings, through a runner.

Run: ``python tests/benchmarks/bench_sorting_jobs.py [--jobs 8] [--seconds 60] [--channels 16]``

In one run, on the same recordings (saved as binary folders, shared in place):

- **direct**: ``run_sorter("simple", recording)`` in this process, one job after the other (after one
  warm-up sort, so that numba's compilation is not counted);
- **runner, 1 and 2 workers**: the same jobs with ``sv.submit_batch`` through a real runner (HTTP, Ray with 1
  or 2 CPUs, a fresh result cache each time so nothing is answered from the cache), each worker warmed up by
  one sort first, the wall time from submitting to the last sorting.

The per-job overhead is the runner's wall time with 1 worker against the direct total (loading the recording by
URI, sharing the sorting into the store, Ray, HTTP); the target is under 5 %. Direct runs are limited to one
thread, as a job holding one CPU is. On a loaded machine the two runs see different loads, so the table also
gives the runner's wall time beyond the sorter's own run time (SpikeInterface's log) within the same run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
os.environ.setdefault("RAY_AUTH_MODE", "disabled")

SORTER = "simple"


def make_recordings(folder: Path, count: int, seconds: float, channels: int, seed: int = 100) -> list:
    """``count`` different recordings, saved as binary folders: one generated, the others scaled copies of it
    (generating is slower than sorting; a scaled copy is another recording, so another job)."""
    import spikeinterface.full as si

    base, _ = si.generate_ground_truth_recording(durations=[seconds], num_channels=channels, num_units=10, seed=seed)
    base = base.save(folder=folder / "rec0", format="binary", verbose=False)
    recordings = [base]
    for i in range(1, count):
        scaled = si.scale(base, gain=1.0 + 0.01 * i)
        recordings.append(scaled.save(folder=folder / f"rec{i}", format="binary", verbose=False))
    return recordings


def run_direct(recordings: list, warm_up, folder: Path) -> list[float]:
    """Each job's seconds, run here on one CPU's worth of threads, as a job holding one CPU runs on a worker
    (Ray sets ``OMP_NUM_THREADS`` to the task's CPUs)."""
    import numba
    import spikeinterface.full as si
    from threadpoolctl import threadpool_limits

    si.run_sorter(SORTER, warm_up, folder=folder / "warm", verbose=False)
    times = []
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        with threadpool_limits(1):
            for i, recording in enumerate(recordings):
                start = time.perf_counter()
                si.run_sorter(SORTER, recording, folder=folder / f"direct{i}", verbose=False)
                times.append(time.perf_counter() - start)
    finally:
        numba.set_num_threads(threads)
    return times


def run_through_runner(recordings: list, warm_ups: list, num_workers: int, root: Path) -> tuple[float, list[dict]]:
    """Wall time of the batch through a runner with ``num_workers`` CPUs, and the jobs' results."""
    import ray

    import spikeinterface_sortingview as sv
    from runner.app import create_app
    from runner.compute import ComputeService
    from runner.executor import RayExecutor, RayOptions
    from runner.handler_config import default_handler_config
    from runner.task_results import TaskResultCache
    from tests.servers import ThreadServer

    store_dir = root / f"store-{num_workers}"
    os.environ["SORTINGVIEW_STORE_DIR"] = str(store_dir)
    executor = RayExecutor(
        default_handler_config(),
        RayOptions(num_cpus=num_workers, worker_env={"SORTINGVIEW_STORE_DIR": str(store_dir)}, prestart=False),
    )
    service = ComputeService(executor, TaskResultCache(store_dir))
    server = ThreadServer(create_app(store_dir, viewer_dir=root / "no-viewer", compute=service)).start()
    try:
        # one warm-up sort per worker: numba compiles in each new worker process
        warm = sv.submit_batch([{"sorter_name": SORTER, "recording": r} for r in warm_ups[:num_workers]], server.url)
        sv.wait_for_jobs(warm, poll_seconds=0.1)
        jobs = [{"sorter_name": SORTER, "recording": r} for r in recordings]
        for recording in recordings:
            sv.share_recording(recording)  # registered in place before timing, as a user's recordings would be
        start = time.perf_counter()
        submitted = sv.submit_batch(jobs, server.url)
        sv.wait_for_jobs(submitted, poll_seconds=0.1)
        wall = time.perf_counter() - start
        return wall, [job.result for job in submitted]
    finally:
        server.stop()
        executor.shutdown()
        if ray.is_initialized():
            ray.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--channels", type=int, default=16)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="sv-bench-sorting-"))
    try:
        print(f"{args.jobs} x {SORTER} on {args.seconds:g} s x {args.channels} channels; making the recordings...")
        recordings = make_recordings(root / "recordings", args.jobs, args.seconds, args.channels)
        warm_ups = make_recordings(root / "warm", 2, 5.0, args.channels, seed=7)
        # direct runs before and after the runner's: the machine's load may change in between
        before = run_direct(recordings, warm_ups[0], root / "direct-before")
        one_wall, one_results = run_through_runner(recordings, warm_ups, 1, root)
        two_wall, two_results = run_through_runner(recordings, warm_ups, 2, root)
        after = run_direct(recordings, warm_ups[0], root / "direct-after")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(f"direct totals: {sum(before):.1f} s before the runner's runs, {sum(after):.1f} s after")
    direct_total = (sum(before) + sum(after)) / 2
    overhead = (one_wall - direct_total) / direct_total
    job_times = [r["jobTimeSec"] for r in one_results]
    sorter_times = [r["runTimeSec"] for r in one_results]
    rows = [
        (
            "direct run_sorter, one after the other (mean)",
            f"{direct_total:.1f} s",
            f"{direct_total / args.jobs:.2f} s",
            "",
        ),
        ("runner, 1 worker", f"{one_wall:.1f} s", f"{one_wall / args.jobs:.2f} s", f"{overhead:+.1%}"),
        (
            "runner, 2 workers",
            f"{two_wall:.1f} s",
            f"{two_wall / args.jobs:.2f} s",
            f"speed-up x{one_wall / two_wall:.2f}",
        ),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"\n{'':{width}}  {'wall':>8}  {'per job':>8}  vs direct")
    for name, wall, per_job, note in rows:
        print(f"{name:{width}}  {wall:>8}  {per_job:>8}  {note}")
    print(
        f"\nInside the worker (1 worker): job {sum(job_times):.1f} s, of which the sorter {sum(sorter_times):.1f} s; "
        f"peak memory {max(r['peakMemoryBytes'] or 0 for r in one_results) / 2**20:.0f} MiB"
    )
    print(f"Per-job overhead against direct run_sorter: {overhead:+.1%} (target < 5 %)")
    # The same overhead measured inside the runner's run, immune to the machine's load changing between runs:
    # everything but the sorter itself (Ray, loading by URI, sharing the sorting, HTTP, polling).
    inside = (one_wall - sum(sorter_times)) / sum(sorter_times)
    print(
        f"Runner time beyond the sorter's own run time (1 worker): {inside:+.1%} ({(one_wall - sum(sorter_times)) / args.jobs:.2f} s per job)"
    )


if __name__ == "__main__":
    main()
