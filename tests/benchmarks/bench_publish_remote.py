"""Publish a sorting summary to a second runner: our ``publish`` against ``curl --data-binary`` of the same files.

The sorting summary of the Neuropixels preset (384 channels, 600 s, 300 units; see ``presets.py``) is used when
its analyzer is already cached in ``/tmp/sv-bench-cache``; it is never built here (that takes minutes). Without
it, a generated analyzer of 300 units on 64 channels (60 s) is computed and used instead; the table says which.

In one run, on this machine:

1. the summary is written to store A (not timed);
2. runner B (``sv-runner start --host 0.0.0.0``, its own home and store, a token, no compute) is started;
3. ``publish_figure(figURL, to=B)`` into B's empty store: the files found by walking the figure, one
   ``POST /sha1/missing``, and one ``PUT /sha1/<hash>`` per file on a kept-alive connection;
4. the same files, emptied from B's store, sent by one ``curl`` process (``--data-binary @file`` to
   ``POST /sha1``, one connection, ``--next`` between files), the plain copy publishing is measured against;
   and again with ``--upload-file`` to ``PUT /sha1/<hash>``, the endpoint publishing uses (client against client);
5. a second publish with nothing to send (in the same process, and with the per-process memory of what
   each file names cleared, as a new process would start).

Each upload is repeated ``--repeat`` times (the two taking turns, B's store emptied before each) and the
fastest is reported. Usage::

    python tests/benchmarks/bench_publish_remote.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1]))

from presets import COMPLETE_MARKER, PRESETS, analyzer_folder, load_analyzer  # noqa: E402


def the_analyzer():
    """The cached Neuropixels analyzer if it is built, else a generated 300-unit one; and its description."""
    preset = PRESETS["neuropixels"]
    folder = analyzer_folder(preset)
    if (folder.parent / COMPLETE_MARKER).exists():
        return load_analyzer(folder), f"Neuropixels preset ({preset.describe()}, cached)"
    import spikeinterface.full as si

    recording, sorting = si.generate_ground_truth_recording(durations=[60.0], num_channels=64, num_units=300, seed=0)
    analyzer = si.create_sorting_analyzer(sorting, recording, sparse=True)
    analyzer.compute(
        ["random_spikes", "waveforms", "templates", "noise_levels", "correlograms", "template_similarity"],
        verbose=False,
    )
    analyzer.compute(["spike_amplitudes", "unit_locations", "quality_metrics", "template_metrics"], verbose=False)
    return analyzer, "generated analyzer (300 units, 64 channels, 60 s; the Neuropixels preset is not cached)"


def start_runner(root: Path) -> tuple[subprocess.Popen, str, str]:
    """``sv-runner start --host 0.0.0.0`` with its own home, store and token; returns (process, URL, token)."""
    home = root / "home"
    (home / "runner").mkdir(parents=True, mode=0o700)
    token = secrets.token_urlsafe(32)
    fd = os.open(home / "runner" / "token", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(token + "\n")
    from tests.servers import find_free_port

    port = find_free_port()
    env = {**os.environ, "SORTINGVIEW_HOME": str(home), "SORTINGVIEW_STORE_DIR": str(root / "store")}
    env.pop("SORTINGVIEW_CONFIG", None)
    command = [sys.executable, "-m", "runner.cli", "start", "--host", "0.0.0.0", "--port", str(port)]
    command += ["--no-compute", "--log-level", "warning", "--max-upload-mb", "4096"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/health", headers={"Authorization": f"Bearer {token}"}, timeout=0.5).is_success:
                return process, url, token
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            raise RuntimeError("runner B did not start")
        time.sleep(0.1)


def empty(store: Path) -> None:
    shutil.rmtree(store / "sha1", ignore_errors=True)


def curl_upload(files: dict[str, Path], url: str, token: str, config: Path, put: bool) -> float:
    """Send ``files`` with one curl process (one connection); its wall time in seconds.

    ``put``: ``PUT /sha1/<hash>`` (``--upload-file``, the endpoint publishing uses), else ``--data-binary`` to
    ``POST /sha1``.
    """
    lines = []
    for i, (sha1, path) in enumerate(files.items()):
        if i:
            lines.append("next")
        lines += (
            [f'url = "{url}/sha1/{sha1}"', f'upload-file = "{path}"']
            if put
            else [f'url = "{url}/sha1"', f'data-binary = "@{path}"']
        )
        lines += [
            'header = "Content-Type: application/octet-stream"',
            f'header = "Authorization: Bearer {token}"',
            'output = "/dev/null"',
            "fail",
            "silent",
        ]
    config.write_text("\n".join(lines) + "\n")
    start = time.perf_counter()
    subprocess.run(["curl", "-K", str(config)], check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-publish-remote-") as tmp:
        root = Path(tmp)
        os.environ.update(SORTINGVIEW_STORE_DIR=str(root / "a" / "store"), SORTINGVIEW_HOME=str(root / "a" / "home"))
        os.environ["SORTINGVIEW_CONFIG"] = str(root / "a" / "no-config.yaml")
        import spikeinterface.full as si

        import spikeinterface_sortingview  # noqa: F401 (registers the backend)
        from spikeinterface_sortingview.sharing import contents as figure_contents_module
        from spikeinterface_sortingview.sharing import publish_figure
        from spikeinterface_sortingview.sharing.contents import figure_contents, figure_target
        from spikeinterface_sortingview.store import default_store

        analyzer, described = the_analyzer()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            url = si.plot_sorting_summary(analyzer, backend="sortingview", display=False).url
        contents = figure_contents(default_store(), figure_target(url))
        files = contents.files
        total = contents.total_bytes

        process, b_url, token = start_runner(root / "b")
        os.environ["SORTINGVIEW_TOKEN"] = token
        b_store = root / "b" / "store"
        ours, curl, curl_put = [], [], []
        try:
            for _ in range(args.repeat):
                empty(b_store)
                start = time.perf_counter()
                report = publish_figure(url, to=b_url, progress=False)
                ours.append(time.perf_counter() - start)
                assert report.uploaded_files == len(files)
                empty(b_store)
                curl.append(curl_upload(files, b_url, token, root / "curl.cfg", put=False))
                empty(b_store)
                curl_put.append(curl_upload(files, b_url, token, root / "curl.cfg", put=True))
            # B now holds every file (curl's copy): publishing again sends nothing.
            again_warm = []
            for _ in range(5):
                start = time.perf_counter()
                assert publish_figure(url, to=b_url, progress=False).uploaded_files == 0
                again_warm.append(time.perf_counter() - start)
            figure_contents_module._named.clear()  # as in a new process: every JSON file is read again
            start = time.perf_counter()
            assert publish_figure(url, to=b_url, progress=False).uploaded_files == 0
            again_cold = time.perf_counter() - start
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=20)

    megabytes = total / 1e6
    best_ours, best_curl, best_put = min(ours), min(curl), min(curl_put)
    rows = [
        ("figure", described),
        ("files / bytes", f"{len(files)} files, {megabytes:.1f} MB"),
        ("publish (ours), first", f"{best_ours:.2f} s = {megabytes / best_ours:.0f} MB/s"),
        ("curl --data-binary, same files", f"{best_curl:.2f} s = {megabytes / best_curl:.0f} MB/s"),
        ("curl --upload-file to PUT /sha1/<hash>", f"{best_put:.2f} s = {megabytes / best_put:.0f} MB/s"),
        ("ours / curl --data-binary (target >= 0.8)", f"{best_curl / best_ours:.2f}"),
        ("ours / curl PUT (same endpoint)", f"{best_put / best_ours:.2f}"),
        ("second publish, nothing to send", f"{min(again_warm) * 1000:.0f} ms (target < 200 ms)"),
        ("  same, files' references read again", f"{again_cold * 1000:.0f} ms"),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"\nbest of {args.repeat} uploads; all times measured in the same run on this machine\n")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
