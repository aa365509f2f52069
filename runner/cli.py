"""``sv-runner``: start, inspect and stop the local sortingview runner.

Examples
--------
::

    sv-runner start                  # serve the configured address (http://127.0.0.1:8931) until Ctrl+C
    sv-runner start --background     # the same, as a detached process
    sv-runner status                 # which runners run here, do they answer, their workers and memory
    sv-runner stop                   # stop the runner on the configured port
    sv-runner publish FIGURL --to https://lab.example.org:8931   # copy a figure to another runner
    sv-runner publish FIGURL --to kachery-cloud                  # store it with kachery-cloud, for figurl.org
    sv-runner export FIGURL figure.zip                           # a static copy for any web host
    sv-runner jobs                   # the sorting jobs of the runner: state, time, node (--log JOB for a log)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from spikeinterface_sortingview._version import __version__
from spikeinterface_sortingview.config import ConfigError, get_config
from spikeinterface_sortingview.runner_client import fetch_health, is_loopback
from spikeinterface_sortingview.sharing import PublishError, export_figure, publish_figure
from spikeinterface_sortingview.sharing.figurl import KACHERY_CLOUD
from spikeinterface_sortingview.store import StoreError

from .access import load_or_create_token, read_token, token_path
from .errors import StartError
from .handler_config import HandlerConfigError, load_handler_config
from .instances import (
    RunnerState,
    child_processes,
    configured_address,
    end_processes,
    format_url,
    looks_like_runner,
    memory_use,
    process_alive,
    state_files,
    state_path,
    terminate,
)
from .jobs_cli import add_jobs_command
from .listing import add_ls_command

# runner.files.DEFAULT_MAX_UPLOAD_BYTES, not imported from there: the web stack (Starlette, FastAPI, uvicorn) is
# loaded by `start` only, so that `status` and `stop` answer quickly.
DEFAULT_MAX_UPLOAD_MB = 100.0

# 0 does what --no-prestart does (tests and benchmarks set it for the runners they start)
PRESTART_ENV = "SORTINGVIEW_PRESTART"

EXIT_OK = 0
EXIT_NOT_RUNNING = 1
EXIT_ERROR = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sv-runner",
        description="The local sortingview runner: serves figures (host page, viewer, store files) over HTTP.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="{start,status,stop,publish,export,ls,jobs}"
    )

    start = commands.add_parser(
        "start",
        help="serve figures (foreground until Ctrl+C, or --background)",
        description="Serve the host page (/f), the viewer (/viewer/) and the store's files (/sha1/<hash>). "
        "Without options it serves the address figURLs point to (SORTINGVIEW_ADDRESS or the config file, "
        "default http://127.0.0.1:8931) and the configured store.",
    )
    start.add_argument("--host", help="address to bind (default: the configured address's host, 127.0.0.1)")
    start.add_argument(
        "--port", type=int, help="port to bind, 0 for any free port (default: the configured port, 8931)"
    )
    start.add_argument("--store-dir", type=Path, help="store folder to serve (default: the configured store)")
    start.add_argument("--background", action="store_true", help="run as a detached process and return once it answers")
    start.add_argument(
        "--max-upload-mb",
        type=float,
        default=DEFAULT_MAX_UPLOAD_MB,
        help="largest file a page may store with POST /sha1, in MiB (default: %(default)g)",
    )
    start.add_argument(
        "--log-level",
        default="info",
        choices=["critical", "error", "warning", "info", "debug"],
        help="server log level; info logs each request (default: %(default)s)",
    )
    start.add_argument(
        "--wait", type=float, default=30.0, help="with --background: seconds to wait for it to answer (default: 30)"
    )
    start.add_argument(
        "--ray-address",
        help="an existing Ray cluster to run compute on, e.g. 10.0.0.5:6379 or auto "
        "(default: $RAY_ADDRESS, else a local Ray started with the runner). "
        "Not where figURLs point: that is SORTINGVIEW_ADDRESS",
    )
    # The flag's first name, kept working for existing scripts; hidden so that it is not taken for SORTINGVIEW_ADDRESS.
    start.add_argument("--address", dest="ray_address", help=argparse.SUPPRESS)
    start.add_argument(
        "--config",
        help="job_handlers YAML: workers per handler group (default: $SORTINGVIEW_JOB_HANDLER_CONFIG, else one per CPU, "
        "at most 4, within the runner's total)",
    )
    start.add_argument("--num-cpus", type=int, help="CPUs of the local Ray (default: all of this machine's)")
    start.add_argument("--no-compute", action="store_true", help="serve figures and files only, no compute API")
    start.add_argument(
        "--no-prestart",
        action="store_true",
        help="start Ray and the first worker on the first compute request, not in the background at start "
        f"(saves their memory until a page computes; also {PRESTART_ENV}=0)",
    )
    start.add_argument(
        "--public-url",
        help="the address others reach this runner at (a hostname, or a reverse proxy's https://... address); "
        "written into the figURLs it hands out (default: the address it is bound to)",
    )
    start.add_argument("--certfile", type=Path, help="serve HTTPS with this certificate (PEM; needs --keyfile)")
    start.add_argument("--keyfile", type=Path, help="the private key of --certfile (PEM)")
    # Set by --background for the process it starts, so that the state file names the log.
    start.add_argument("--log-file", help=argparse.SUPPRESS)
    start.set_defaults(run=run_start)

    status = commands.add_parser(
        "status",
        help="list the runners of this machine, check that they answer, show their workers and memory",
        description="List the runners of this machine: whether each answers, its workers per handler group, and "
        "the resident memory (RSS) of the runner and of the Ray processes it started.",
    )
    status.add_argument("--port", type=int, help="only the runner on this port")
    status.add_argument("--json", action="store_true", help="print JSON (one object per runner)")
    status.set_defaults(run=run_status)

    stop = commands.add_parser("stop", help="stop a runner", description="Stop a runner started by sv-runner start.")
    stop.add_argument("--port", type=int, help="port of the runner to stop (default: the configured port, 8931)")
    stop.add_argument("--all", action="store_true", help="stop every runner of this machine")
    stop.add_argument(
        "--timeout",
        type=float,
        default=20.0,
        help="seconds to wait before killing it (default: %(default)g; it finishes its requests and stops its Ray)",
    )
    stop.set_defaults(run=run_stop)

    publish = commands.add_parser(
        "publish",
        help="copy a figure to another runner and print its figURL there",
        description="Copy a figure (its views, the sorting it computes with, its curation snapshot) to another "
        "runner, sending only the files it lacks, and print the figURL there. The runner's token comes from the "
        "configuration (remotes: in the config file, or SORTINGVIEW_TOKEN).",
    )
    publish.add_argument("figure", help="a figURL, or the sha1:// URI of a figure document")
    publish.add_argument(
        "--to",
        help="the runner's address, or kachery-cloud (for figurl.org; needs SORTINGVIEW_VIEW_URL and "
        "kachery-cloud-init) (default: publish_to in the configuration)",
    )
    publish.add_argument(
        "--service-url",
        help="with --to kachery-cloud: the runner figurl.org sends live computations to (sh=); default: the "
        "public address of the runner serving the figure, if it has one",
    )
    publish.add_argument(
        "--include-recording",
        action="store_true",
        help="also copy the recordings the figure reads live (may be very large; without them, live traces "
        "are unavailable there)",
    )
    publish.set_defaults(run=run_publish)

    export = commands.add_parser(
        "export",
        help="write a static copy of a figure (a folder or a .zip) for any web host",
        description="Write the host page, the viewer and the figure's files with relative addresses, so the "
        "folder opens under any path of any static web host, with no runner (no live compute, no journal).",
    )
    export.add_argument("figure", help="a figURL, or the sha1:// URI of a figure document")
    export.add_argument("dest", type=Path, help="a new folder, or a file name ending in .zip")
    export.set_defaults(run=run_export)
    add_ls_command(commands)
    add_jobs_command(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``sv-runner``; returns the exit status (0 ok, 1 not running, 2 error)."""
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (StartError, ConfigError, HandlerConfigError, PermissionError, PublishError, StoreError) as e:
        # PermissionError: a runner token file others can read (the message says how to fix it)
        print(f"sv-runner: {e}", file=sys.stderr)
        return EXIT_ERROR


def run_start(args: argparse.Namespace) -> int:
    # Set before ray is imported (it reads them as it loads). Ray's crash handler would also catch the SIGTERM of
    # `sv-runner stop` and print a stack dump into the runner's log.
    os.environ.setdefault("RAY_DISABLE_FAILURE_SIGNAL_HANDLER", "1")
    if not (args.ray_address or os.environ.get("RAY_ADDRESS")):
        # The embedded Ray serves this machine only: keep it on loopback.
        os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    from . import server  # the web stack, loaded here only (see DEFAULT_MAX_UPLOAD_MB)

    config = get_config()
    configured_host, configured_port = configured_address()
    host = (args.host or configured_host).strip("[]")  # --host [::1] is ::1
    port = configured_port if args.port is None else args.port
    store_dir = (args.store_dir or config.store_dir).expanduser().resolve()
    if args.max_upload_mb <= 0:
        raise StartError("--max-upload-mb must be positive")
    if (args.certfile is None) != (args.keyfile is None):
        raise StartError("HTTPS needs both --certfile and --keyfile (PEM files)")
    for path in (args.certfile, args.keyfile):
        if path is not None and not path.is_file():
            raise StartError(f"{path} is not a file; --certfile and --keyfile name PEM files")
    if args.public_url and not args.public_url.startswith(("http://", "https://")):
        raise StartError(f"--public-url {args.public_url!r} must start with http:// or https://")
    options = server.ServeOptions(
        host=host,
        port=port,
        store_dir=store_dir,
        max_upload_bytes=int(args.max_upload_mb * 2**20),
        log_level=args.log_level,
        log_file=args.log_file,
        compute=not args.no_compute,
        ray_address=args.ray_address or os.environ.get("RAY_ADDRESS") or None,
        handler_config=args.config or os.environ.get("SORTINGVIEW_JOB_HANDLER_CONFIG") or None,
        num_cpus=args.num_cpus,
        prestart=not args.no_prestart and os.environ.get(PRESTART_ENV, "1").strip() != "0",
        public_url=args.public_url.rstrip("/") if args.public_url else None,
        certfile=str(args.certfile.resolve()) if args.certfile else None,
        keyfile=str(args.keyfile.resolve()) if args.keyfile else None,
    )
    if options.compute:
        # a bad handler config is refused at start, naming the offending key
        load_handler_config(options.handler_config)
    # A background runner's own process (started with --log-file) need not repeat these to its log.
    token, created = None, False
    if not is_loopback(host) and args.log_file is None:
        token, created = load_or_create_token()
        plain = (
            "" if args.certfile else "; it travels in plain HTTP, so use this on a network you trust or behind HTTPS"
        )
        print(
            f"Warning: bound to {host}, the runner is reachable from other machines. Every request needs its token "
            f"({token_path()}){plain}.",
            file=sys.stderr,
        )
    if (host, port) != (configured_host, configured_port) and port != 0 and args.log_file is None:
        print(
            f"Note: new figures point to {config.address}; to make them open here set "
            f"SORTINGVIEW_ADDRESS={args.public_url or format_url(host, port, 'https' if args.certfile else 'http')}",
            file=sys.stderr,
        )
    if not args.background:
        if created:
            # Shown to whoever started it, here only; a foreground runner's output may be kept as a log.
            print(f"Runner token (shown once, kept in {token_path()}): {token}", flush=True)
        server.serve(options)
        return EXIT_OK
    state = server.start_background(options, timeout=args.wait)
    print(f"sortingview runner {state.version} serving {state.url}  (pid {state.pid}, store: {state.store_dir})")
    if token is not None:
        # The background runner's log never holds the token: this command shows it.
        print(f"Token: {token}  (kept in {token_path()}): open figURLs with &token=<token> once per browser.")
    if options.public_url:
        print(f"Figures published here open at {options.public_url}/f?...")
    print(f"Log: {state.log_file}. Stop it with `sv-runner stop --port {state.port}`.")
    return EXIT_OK


def describe(path: Path) -> dict:
    """What a state file says and whether its runner answers: status is running, not-answering or stale.

    A running runner's entry also has its ``workers`` per handler group and its ``memory`` (see
    :func:`runner.instances.memory_use`).
    """
    state = RunnerState.from_file(path)
    if state is None:
        return {"status": "stale", "state_file": str(path), "reason": "unreadable state file"}
    facts = {"url": state.url, "pid": state.pid, "port": state.port, "store_dir": state.store_dir}
    facts.update(version=state.version, log_file=state.log_file, state_file=str(path))
    # A runner bound to the network answers /health only with its token (ours: same user, same machine).
    health = fetch_health(state.url, token=None if is_loopback(state.host) else read_token())
    if health is not None and health.get("pid") == state.pid:
        return {"status": "running", **facts, **compute_facts(health), "memory": memory_use(state.pid)}
    if process_alive(state.pid) and looks_like_runner(state.pid):
        return {"status": "not-answering", **facts, "memory": memory_use(state.pid)}
    return {"status": "stale", **facts, "reason": f"process {state.pid} is gone"}


def compute_facts(health: dict) -> dict:
    """What a runner's ``/health`` says of its compute: Ray's state and its workers (None without compute)."""
    return {key: health.get(key) for key in ("ray", "workers", "workers_ready")}


def run_status(args: argparse.Namespace) -> int:
    paths = [state_path(args.port)] if args.port is not None else state_files()
    found = [describe(p) for p in paths if p.exists()]
    for entry in found:
        if entry["status"] == "stale":
            # A runner killed without cleanup leaves its file behind; it describes nothing any more.
            Path(entry["state_file"]).unlink(missing_ok=True)
    if args.port is not None and not found:
        # Started with another SORTINGVIEW_HOME, or by hand: still worth reporting if something answers.
        host, _ = configured_address()
        url = format_url(host, args.port)
        health = fetch_health(url, token=None if is_loopback(host) else read_token())
        if health is not None:
            found.append({"status": "running", "url": url, "pid": health.get("pid"), "port": args.port})
            found[-1].update(store_dir=health.get("store_dir"), version=health.get("version"), state_file=None)
            found[-1].update(**compute_facts(health), memory=memory_use(health.get("pid")))
    if args.json:
        for entry in found:
            print(json.dumps(entry))
    elif not found:
        where = f" on port {args.port}" if args.port is not None else ""
        print(f"No sortingview runner is running{where}. Start one with: sv-runner start")
    else:
        for entry in found:
            print(status_line(entry))
    return EXIT_OK if any(e["status"] == "running" for e in found) else EXIT_NOT_RUNNING


def status_line(entry: dict) -> str:
    if entry["status"] == "running":
        line = f"running        {entry['url']}  pid {entry['pid']}  store {entry.get('store_dir')}"
        return "\n".join([line, *usage_lines(entry)])
    if entry["status"] == "not-answering":
        return (
            f"not answering  {entry['url']}  pid {entry['pid']} (starting, or stuck: `sv-runner stop "
            f"--port {entry['port']}` ends it)"
        )
    return f"stale          {entry.get('url', entry['state_file'])}: {entry['reason']}; removed its state file"


def usage_lines(entry: dict) -> list[str]:
    """The workers and memory lines of a running runner's status."""
    lines = []
    workers = entry.get("workers")
    if workers is None:
        lines.append("  workers        none (started with --no-compute)")
    else:
        started = ", ".join(f"{group} {count}" for group, count in workers.items() if count) or "none started yet"
        ready = entry.get("workers_ready")
        lines.append(f"  workers        {started}" + (f" ({ready} ready)" if ready else ""))
        lines.append(f"  ray            {entry.get('ray') or 'unknown'}")
    memory = entry.get("memory")
    if memory is not None:
        ray = f"{megabytes(memory['ray_rss'])} in {memory['ray_processes']} processes"
        if memory["ray_processes"] == 0:
            ray = "not started here"
        lines.append(
            f"  memory (RSS)   runner {megabytes(memory['runner_rss'])}, its Ray {ray}; "
            f"total {megabytes(memory['runner_rss'] + memory['ray_rss'])} "
            f"({megabytes(memory['total_pss'])} counting shared libraries once)"
        )
    return lines


def megabytes(size: int) -> str:
    return f"{size / 2**20:.0f} MB"


def run_stop(args: argparse.Namespace) -> int:
    if args.all:
        paths = state_files()
        if not paths:
            print("No sortingview runner is running.")
            return EXIT_NOT_RUNNING
    else:
        port = configured_address()[1] if args.port is None else args.port
        paths = [state_path(port)]
        if not paths[0].exists():
            others = [p.stem for p in state_files()]
            hint = f" Runners here use ports {', '.join(others)}: pass --port or --all." if others else ""
            print(f"No sortingview runner was started on port {port}.{hint}")
            return EXIT_NOT_RUNNING
    stopped = 0
    for path in paths:
        entry = describe(path)
        if entry["status"] == "stale":
            print(status_line(entry))
            path.unlink(missing_ok=True)
            continue
        # The runner stops the Ray it started; whatever outlives it (killed before it could, or a Ray process
        # that ignored it) is ended here.
        started = child_processes(entry["pid"])
        graceful = terminate(entry["pid"], timeout=args.timeout)
        left = end_processes(started)
        path.unlink(missing_ok=True)
        how = "stopped" if graceful else f"killed (it did not stop within {args.timeout:g} s)"
        print(f"{how} the runner at {entry['url']} (pid {entry['pid']})")
        if left:
            print(f"killed {len(left)} of its processes that ignored SIGTERM: {', '.join(str(p.pid) for p in left)}")
        stopped += 1
    return EXIT_OK if stopped else EXIT_NOT_RUNNING


def run_publish(args: argparse.Namespace) -> int:
    try:
        report = publish_figure(
            args.figure, to=args.to, include_recording=args.include_recording, service_url=args.service_url
        )
    except ValueError as e:
        raise PublishError(str(e)) from None
    if (args.to or get_config().publish_to) != KACHERY_CLOUD:
        print(
            f"Sent {report.uploaded_files} of {report.files} files ({megabytes(report.uploaded_bytes)} of "
            f"{megabytes(report.bytes)}); the others were there already.",
            file=sys.stderr,
        )
    else:
        print(
            f"Handed {report.files} files ({megabytes(report.bytes)}) to kachery-cloud, which uploads those it lacks.",
            file=sys.stderr,
        )
    print(report.url)
    return EXIT_OK


def run_export(args: argparse.Namespace) -> int:
    try:
        report = export_figure(args.figure, args.dest)
    except (ValueError, OSError) as e:
        raise PublishError(str(e)) from None
    print(f"Wrote {report.path}: {report.files} figure files, {report.bytes / 2**20:.1f} MB in all.")
    if report.path.suffix == ".zip":
        print(f"Unzipped it is the folder {report.path.stem}/: put it on any static web host, under any path.")
    else:
        print(
            f"Put the folder on any static web host, under any path; to try it here: cd {report.path.parent} && "
            f"python -m http.server, then open http://127.0.0.1:8000/{report.path.name}/"
        )
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
