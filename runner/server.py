"""Running the app: in this process until stopped (foreground), or as a detached process (background)."""

from __future__ import annotations

import errno
import functools
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import uvicorn
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

from spikeinterface_sortingview._version import __version__
from spikeinterface_sortingview.config import TOKEN_ENVIRONMENT_VARIABLE, get_config
from spikeinterface_sortingview.runner_client import LOOPBACK_NAMES, fetch_health, is_loopback

from .access import AccessMiddleware, AccessPolicy, RedactTokens, load_or_create_token, read_token
from .errors import StartError
from .handler_config import load_handler_config
from .instances import (
    RunnerState,
    configured_address,
    format_url,
    log_path,
    open_log,
    remove_state,
    state_path,
    terminate,
    write_state,
)

if TYPE_CHECKING:
    from .compute import ComputeService
    from .executor import RayExecutor
    from .local_ray import RayStart

START_TIMEOUT = 30.0
# Pages that may call this runner from another origin (the runner's own pages are same-origin).
FIGURL_ORIGINS = ["https://figurl.org", "https://www.figurl.org"]
# Requests still running when asked to stop get this long to finish.
GRACEFUL_SHUTDOWN_SECONDS = 5
# On this many CPUs or fewer, workers start on their group's first request only, not all at once ahead of time:
# each holds ~200 MB (its imports), and on the demo with 2 cores the seven prestarted workers took the runner and
# its Ray to 2.4 GB RSS, and their start-up competed with the page's own requests for the CPUs.
SMALL_MACHINE_CPUS = 2


@dataclass(frozen=True)
class ServeOptions:
    """How to run a runner.

    Attributes
    ----------
    host : str
        Address to bind (loopback by default: nothing else on the network can reach it).
    port : int
        Port to bind; 0 picks a free one.
    store_dir : Path
        The store to serve.
    max_upload_bytes : int
        Largest ``POST /sha1`` body.
    log_level : str
        uvicorn's log level (``info`` logs each request).
    log_file : str | None
        Where a background runner's output goes (recorded in its state file).
    compute : bool
        Serve the compute API.
    ray_address : str | None
        An existing Ray cluster to run handlers on; None starts a local Ray when needed.
    handler_config : str | None
        The ``job_handlers`` YAML file (handler groups and their workers).
    num_cpus : int | None
        CPUs of the local Ray (default: all of this machine's).
    prestart : bool
        With compute, start Ray and one worker in the background as soon as the runner serves (False: on the
        first compute request).
    public_url : str | None
        The address others reach this runner at (a hostname, a reverse proxy); written into the figURLs it
        hands out (``/health``'s ``url``, publishing) and given to Ray workers on other nodes.
    certfile, keyfile : str | None
        A certificate and its private key (PEM): serve HTTPS directly.
    """

    host: str
    port: int
    store_dir: Path
    max_upload_bytes: int
    log_level: str = "info"
    log_file: str | None = None
    compute: bool = True
    ray_address: str | None = None
    handler_config: str | None = None
    num_cpus: int | None = None
    prestart: bool = True
    public_url: str | None = None
    certfile: str | None = None
    keyfile: str | None = None

    @property
    def scheme(self) -> str:
        return "https" if self.certfile else "http"


def allowed_hosts(host: str) -> list[str] | None:
    """``Host`` header names a runner bound to ``host`` accepts: loopback names for a loopback bind, else any.

    A proxy on this machine (jupyter-server-proxy, a reverse proxy) forwards the browser's ``Host``, so the host
    of the configured ``proxy_url`` is accepted too. An IPv6 address comes in brackets in a ``Host`` header
    (``[::1]:8931``), so it is listed in both forms.
    """
    if not is_loopback(host):
        return None
    configured_host, _ = configured_address()
    names = {*LOOPBACK_NAMES, host.strip("[]"), configured_host}
    proxy_url = get_config().proxy_url
    if proxy_url and urlsplit(proxy_url).hostname:
        names.add(urlsplit(proxy_url).hostname)
    return sorted(names | {f"[{name}]" for name in names if ":" in name})


def runner_token(host: str) -> str | None:
    """The token a runner bound to ``host`` asks for: None on loopback, else the runner token (made if needed)."""
    return None if is_loopback(host) else load_or_create_token()[0]


def bind_socket(host: str, port: int, scheme: str = "http") -> socket.socket:
    """Bind and listen on ``host:port`` here, so that a busy port is a clear error before anything starts."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as e:
        raise StartError(f"Cannot bind to host {host!r}: {e.strerror}. Use --host 127.0.0.1 (or 0.0.0.0).") from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as e:
        sock.close()
        if e.errno == errno.EADDRINUSE:
            health = fetch_health(format_url(host, port, scheme), token=None if is_loopback(host) else read_token())
            if health is not None:
                raise StartError(
                    f"A sortingview runner (pid {health.get('pid')}) already serves {format_url(host, port, scheme)}; "
                    f"stop it with `sv-runner stop --port {port}` or choose another --port."
                ) from None
            raise StartError(f"Port {port} on {host} is used by another program; choose another --port.") from None
        raise StartError(f"Cannot bind to {host}:{port}: {e.strerror}.") from None
    sock.listen(2048)
    return sock


def free_port(host: str) -> int:
    """A port free on ``host`` now (another program could take it before we bind it again)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    # uvicorn shuts down gracefully on SIGTERM, then re-raises it; exiting here (rather than dying of the signal)
    # lets `serve` remove its state file and the process end with status 0.
    raise SystemExit(0)


def serve(options: ServeOptions) -> None:
    """Serve in this process until SIGINT (Ctrl+C) or SIGTERM (``sv-runner stop``).

    The state file is written once the port is bound and removed on the way out.
    """
    sock = bind_socket(options.host, options.port, options.scheme)
    port = sock.getsockname()[1]
    url = format_url(options.host, port, options.scheme)
    # The local Ray starts now, while the web stack and the handlers load (imported here, after it, for that).
    ray_start = begin_local_ray(options)
    from .app import create_app

    compute = make_compute(options, url, ray_start) if options.compute else None
    app = create_app(
        options.store_dir,
        public_url=options.public_url or url,
        max_upload_bytes=options.max_upload_bytes,
        allowed_hosts=allowed_hosts(options.host),
        compute=compute,
        middleware=access_middleware(options.host),
        # Ray and a first worker start while the runner already answers: /health at once, a page soon after.
        background=[compute.executor.start_ahead] if compute is not None and options.prestart else [],
    )
    if compute is not None:
        app.state.compute_status = functools.partial(compute_status, compute.executor)  # read by GET /health
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            log_level=options.log_level,
            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
            # The runner is reached directly; X-Forwarded-* headers from a client must not change what it believes.
            proxy_headers=False,
            server_header=False,
            ssl_certfile=options.certfile,
            ssl_keyfile=options.keyfile,
        )
    )
    quiet_logs()  # after uvicorn.Config, which sets up uvicorn's loggers
    state = RunnerState(
        pid=os.getpid(),
        url=url,
        host=options.host,
        port=port,
        store_dir=str(options.store_dir),
        version=__version__,
        started_at=time.time(),
        log_file=options.log_file,
    )
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    write_state(state)
    try:
        print(f"sortingview runner {__version__} serving {url}  (store: {options.store_dir})", flush=True)
        print(f"Stop it with Ctrl+C or `sv-runner stop --port {port}`.", flush=True)
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        remove_state(port, os.getpid())
        sock.close()
        if compute is not None:
            compute.executor.shutdown()


def quiet_logs() -> None:
    """Keep the runner's log to what its user needs: no token from a requested URL, no Ray start-up chatter.

    Ray logs warnings meant for scripts that start it (its SIGTERM handler, its own token); errors still show.
    """
    for name in ("uvicorn.access", "uvicorn.error"):
        logging.getLogger(name).addFilter(RedactTokens())
    logging.getLogger("ray").setLevel(logging.ERROR)


def compute_status(executor: RayExecutor) -> dict:
    """What ``GET /health`` says of compute: Ray's state, the started workers (idle or busy) of each handler group,
    and how many workers have started and answered."""
    return {
        "ray": executor.ray_status(),
        "workers": {name: len(pool.workers()) for name, pool in executor.pools.items()},
        "workers_ready": executor.ready_worker_count(),
    }


def begin_local_ray(options: ServeOptions) -> RayStart | None:
    """Begin starting the runner's local Ray in the background, if it starts one ahead of the first request."""
    if not (options.compute and options.prestart) or options.ray_address:
        return None
    from .local_ray import RayStart, local_ray_options

    start = RayStart(local_ray_options(options.num_cpus))
    start.begin()
    return start


def make_compute(options: ServeOptions, url: str, ray_start: RayStart | None = None) -> ComputeService:
    """The compute service: handler groups from the config, run on Ray (started ahead or on first use).

    Workers find data in this runner's store, or fetch it from this runner over HTTP when they run on
    another machine. ``ray_start``: the local Ray's start, if already begun (:func:`begin_local_ray`).
    """
    # Imported here: they load Ray and the handlers, which `serve` loads while Ray starts.
    from .compute import ComputeService
    from .curation_feeds import CurationFeeds
    from .executor import RayExecutor, RayOptions
    from .task_results import TaskResultCache

    groups = load_handler_config(options.handler_config)
    # Workers on other nodes reach the runner where others do; a runner that asks for a token gives it to them.
    worker_env = {"SORTINGVIEW_STORE_DIR": str(options.store_dir), "SORTINGVIEW_REMOTE": options.public_url or url}
    token = runner_token(options.host)
    if token is not None:
        worker_env[TOKEN_ENVIRONMENT_VARIABLE] = token
    ray_options = RayOptions(
        address=options.ray_address,
        num_cpus=options.num_cpus,
        worker_env=worker_env,
        prestart=(os.cpu_count() or 1) > SMALL_MACHINE_CPUS,
    )
    executor = RayExecutor(
        groups, ray_options, journal_dir=str(options.store_dir / "curation_journals"), ray_start=ray_start
    )
    return ComputeService(executor, TaskResultCache(options.store_dir), CurationFeeds(options.store_dir))


def access_middleware(host: str) -> list[Middleware]:
    """CORS for figurl.org pages, and on a non-loopback bind the token check."""
    cors = Middleware(
        CORSMiddleware,
        allow_origins=FIGURL_ORIGINS,
        allow_methods=["GET", "HEAD", "POST", "DELETE"],
        allow_headers=["Authorization", "Content-Type", "Range"],
        expose_headers=["Content-Length", "Content-Range", "ETag"],
    )
    token = runner_token(host)
    if token is None:
        return [cors]
    curators = {token: name for name, token in get_config().curators.items()}
    return [cors, Middleware(AccessMiddleware, policy=AccessPolicy(token=token, curator_tokens=curators))]


def start_background(options: ServeOptions, timeout: float = START_TIMEOUT) -> RunnerState:
    """Start a runner as a detached process (it outlives this one) and return its state once it answers.

    Raises
    ------
    StartError
        If the port is taken, or the runner exits or does not answer within ``timeout`` seconds.
    """
    port = options.port or free_port(options.host)
    url = format_url(options.host, port, options.scheme)
    token = runner_token(options.host)
    health = fetch_health(url, token=token)
    if health is not None:
        raise StartError(
            f"A sortingview runner (pid {health.get('pid')}) already serves {url}; "
            f"stop it with `sv-runner stop --port {port}` or choose another --port."
        )
    log = log_path(port)
    command = [
        sys.executable,
        "-m",
        "runner.cli",
        "start",
        "--host",
        options.host,
        "--port",
        str(port),
        "--store-dir",
        str(options.store_dir),
        "--max-upload-mb",
        str(options.max_upload_bytes / 2**20),
        "--log-level",
        options.log_level,
        "--log-file",
        str(log),
    ]
    if not options.compute:
        command.append("--no-compute")
    if options.ray_address:
        command += ["--ray-address", options.ray_address]
    if options.handler_config:
        command += ["--config", str(options.handler_config)]
    if options.num_cpus:
        command += ["--num-cpus", str(options.num_cpus)]
    if not options.prestart:
        command.append("--no-prestart")
    if options.public_url:
        command += ["--public-url", options.public_url]
    if options.certfile:
        command += ["--certfile", str(options.certfile), "--keyfile", str(options.keyfile)]
    with os.fdopen(open_log(port), "wb") as out:
        # A new session: a notebook's interrupt (SIGINT to its process group) must not stop the runner.
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        code = process.poll()
        if code is not None:
            raise StartError(f"The runner exited with status {code} while starting:\n{tail(log)}")
        health = fetch_health(url, token=token)
        if health is not None and health.get("pid") == process.pid:
            return RunnerState.from_file(state_path(port)) or RunnerState(
                process.pid, url, options.host, port, str(options.store_dir), __version__, time.time(), str(log)
            )
        time.sleep(0.1)
    terminate(process.pid, timeout=5)
    raise StartError(f"The runner did not answer {url}/health within {timeout:.0f} s; its log {log}:\n{tail(log)}")


def tail(path: Path, lines: int = 20) -> str:
    """The last lines of a log file, for error messages."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
