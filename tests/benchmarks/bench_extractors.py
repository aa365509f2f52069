"""Benchmark of shared extractors: sharing and in-place registration against SHA-1, window latency local and over HTTP.

Run: ``python tests/benchmarks/bench_extractors.py [--seconds 20] [--channels 384] [--windows 40]``

Everything runs in one process (plus a small HTTP server process) on a temporary folder,
so SHA-1 throughput and the sharing throughput it is compared with are measured under the
same conditions. Each throughput is the median of ``--repeats`` runs, each run next to its
own SHA-1 measurement; ratios are of medians.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SERVER_SCRIPT = HERE.parent / "extractors" / "http_store_server.py"

# Ratios: "wall" compares MB/s of elapsed time (what a user waits), each run against SHA-1
# measured just before and after it; "CPU-time" compares MB per CPU-second of this process
# (all threads), which a busy machine disturbs less: it is the work done per byte.


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="duration of the test recording")
    parser.add_argument("--channels", type=int, default=384)
    parser.add_argument("--sampling-frequency", type=float, default=30_000.0)
    parser.add_argument("--windows", type=int, default=40, help="random windows per latency measurement")
    parser.add_argument("--repeats", type=int, default=5, help="runs per throughput measurement")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-extractors-") as tmp:
        run(Path(tmp), args)


def run(tmp: Path, args) -> None:
    os.environ["SORTINGVIEW_STORE_DIR"] = str(tmp / "owner")
    os.environ.pop("SORTINGVIEW_REMOTE", None)
    import spikeinterface.core as sc

    import spikeinterface_sortingview as sv
    from spikeinterface_sortingview.store.verified import forget_all_verified

    fs, channels = args.sampling_frequency, args.channels
    num_samples = int(args.seconds * fs)
    traces = np.random.default_rng(0).integers(-2000, 2000, size=(num_samples, channels), dtype=np.int16)
    data_file = tmp / "traces.raw"
    traces.tofile(data_file)
    megabytes = traces.nbytes / 1e6
    recording = sc.BinaryRecordingExtractor(data_file, fs, "int16", num_channels=channels)
    print(
        f"data: {args.seconds:g} s x {channels} channels int16 at {fs / 1000:g} kHz = {megabytes:.0f} MB; "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )

    def measure(work, *args, **kwargs) -> tuple[float, float, object]:
        """(MB/s of wall time, MB/s of this process's CPU time over all threads, result) of ``megabytes`` of work."""
        wall, cpu = time.perf_counter(), time.process_time()
        result = work(*args, **kwargs)
        return megabytes / (time.perf_counter() - wall), megabytes / (time.process_time() - cpu), result

    def sha1() -> tuple[float, float]:
        return measure(lambda: hashlib.sha1(traces).digest())

    def empty_store(store_name: str) -> None:
        """Point the store at an empty folder; deleting the last run's files is not part of any timing."""
        folder = tmp / store_name
        shutil.rmtree(folder, ignore_errors=True)
        os.sync()  # the deletions' disk work ends before the next measurement starts
        os.environ["SORTINGVIEW_STORE_DIR"] = str(folder)

    def share(**kwargs) -> str:
        return sv.share_recording(recording, progress_bar=False, **kwargs)

    # A first, untimed copy: on a VM the first write into never-used memory (page cache) runs
    # several times slower than any later one; measure the steady state, as on a used machine.
    empty_store("warmup")
    share(in_place=False)
    shutil.rmtree(tmp / "warmup")

    rows: list[tuple[str, ...]] = []
    sha1_runs = [sha1() for _ in range(args.repeats)]
    sha1_wall = statistics.median(r[0] for r in sha1_runs)
    sha1_cpu = statistics.median(r[1] for r in sha1_runs)
    rows.append(("SHA-1 (hashlib, 1 thread, same bytes in memory)", f"{sha1_wall:.0f} MB/s", "1.00", "1.00"))

    def plain_write() -> None:
        traces.tofile(tmp / "plain.raw")
        (tmp / "plain.raw").unlink()

    write_runs = [measure(plain_write) for _ in range(args.repeats)]
    write_wall = statistics.median(r[0] for r in write_runs)
    write_cpu = statistics.median(r[1] for r in write_runs)
    rows.append(
        (
            "plain file write of the same bytes (reference)",
            f"{write_wall:.0f} MB/s",
            f"{write_wall / sha1_wall:.2f}",
            f"{write_cpu / sha1_cpu:.2f}",
        )
    )

    uris = {}
    for label, kwargs in [
        ("share by copy (hash + write chunks), n_jobs=1", {"in_place": False, "n_jobs": 1}),
        (f"share by copy (hash + write chunks), n_jobs={os.cpu_count()} (default)", {"in_place": False}),
        ("register binary file in place, n_jobs=1", {"in_place": True, "n_jobs": 1}),
        (f"register binary file in place, n_jobs={os.cpu_count()} (default)", {"in_place": True}),
    ]:
        store_name = f"store-{len(rows)}"
        walls, wall_ratios, cpu_ratios = [], [], []
        for _ in range(args.repeats):
            # SHA-1 just before and just after each run: the machine may be shared, so compare
            # each run with what SHA-1 did at the same moment.
            empty_store(store_name)
            before = sha1()
            wall, cpu, uri = measure(share, **kwargs)
            after = sha1()
            walls.append(wall)
            wall_ratios.append(wall / ((before[0] + after[0]) / 2))
            cpu_ratios.append(cpu / ((before[1] + after[1]) / 2))
        uris[kwargs["in_place"]] = (store_name, uri)
        row = (label, f"{statistics.median(walls):.0f} MB/s")
        rows.append(row + (f"{statistics.median(wall_ratios):.2f}", f"{statistics.median(cpu_ratios):.2f}"))
        print(f"  {label}: {row[1]}, wall ratios {[round(r, 2) for r in wall_ratios]}", flush=True)

    # Registering again an unchanged file: nothing to hash.
    store_name, in_place_uri = uris[True]
    os.environ["SORTINGVIEW_STORE_DIR"] = str(tmp / store_name)
    start = time.perf_counter()
    assert sv.share_recording(recording, progress_bar=False) == in_place_uri
    rows.append(("register again, file unchanged", f"{(time.perf_counter() - start) * 1e3:.1f} ms", "-", "-"))

    rng = np.random.default_rng(1)
    window = int(fs)

    def random_starts(n: int) -> list[int]:
        return [int(s) for s in rng.integers(0, num_samples - window, size=n)]

    def latencies(extractor, starts) -> list[float]:
        """Milliseconds to have each window in memory (a lazy memory-map view is copied, so it is really read)."""
        out = []
        for s in starts:
            start = time.perf_counter()
            traces = extractor.get_traces(start_frame=s, end_frame=s + window)
            if not traces.flags.owndata:
                traces = traces.copy()
            out.append((time.perf_counter() - start) * 1e3)
        return out

    def fmt(values: list[float]) -> str:
        return f"median {statistics.median(values):.1f} ms, p95 {np.percentile(values, 95):.1f} ms"

    for in_place, label in [(False, "copied chunks"), (True, "registered file")]:
        store_name, uri = uris[in_place]
        os.environ["SORTINGVIEW_STORE_DIR"] = str(tmp / store_name)
        loaded = sv.load_recording(uri)
        values = latencies(loaded, random_starts(args.windows))
        rows.append((f"1 s x {channels} ch window, local store, {label}", fmt(values), "target < 20 ms", ""))
    values = latencies(recording, random_starts(args.windows))
    rows.append(("  same window, SpikeInterface binary extractor (reference)", fmt(values), "-", ""))

    # What checking hashes costs: a process hashes each copied chunk whole the first time it reads any of it.
    os.environ["SORTINGVIEW_STORE_DIR"] = str(tmp / uris[False][0])
    aligned = [c * window for c in range(num_samples // window)]  # one chunk each
    forget_all_verified()
    first = latencies(sv.load_recording(uris[False][1]), aligned)
    later = latencies(sv.load_recording(uris[False][1]), aligned)
    ratio = f"{statistics.median(first) / statistics.median(later):.2f}x a checked chunk's"
    rows.append(("1 s window, copied chunks, first read in a process (hash check)", fmt(first), ratio, ""))
    rows.append(("  same windows, chunks already checked by this process", fmt(later), "-", ""))

    for in_place, label in [(False, "copied chunks"), (True, "ranges of registered file")]:
        store_name, uri = uris[in_place]
        server = subprocess.Popen(
            [sys.executable, str(SERVER_SCRIPT), str(tmp / store_name)], stdout=subprocess.PIPE, text=True
        )
        try:
            url = server.stdout.readline().strip()
            cold, warm = [], []
            for i, s in enumerate(random_starts(max(5, args.windows // 4))):
                # A new colleague each time: empty cache, so every window fetches its chunks.
                os.environ["SORTINGVIEW_STORE_DIR"] = str(tmp / f"colleague-{in_place}-{i}")
                loaded = sv.load_recording(uri, source_url=url)
                cold += latencies(loaded, [s])
                warm += latencies(loaded, [s])
                shutil.rmtree(tmp / f"colleague-{in_place}-{i}")
        finally:
            server.terminate()
            server.wait()
        chunk_mb = channels * window * 2 / 1e6
        rows.append((f"1 s window over HTTP, cold ({label}, ~2 x {chunk_mb:.0f} MB)", fmt(cold), "-", ""))
        rows.append((f"1 s window over HTTP, then cached locally ({label})", fmt(warm), "-", ""))

    print_table(rows)


def print_table(rows: list[tuple[str, ...]]) -> None:
    headers = ("measurement", "result", "wall ratio to SHA-1 / target", "CPU-time ratio")
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    line = "+".join("-" * (w + 2) for w in widths)
    print()
    print(" | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    print(line)
    for row in rows:
        print(" | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
