"""Talking to a runner over HTTP: its health check, whether an address is this machine, its credentials, and
starting the local runner as a process.

The notebook display (``widgets/publish.py``), the store's HTTP reads (``store/http.py``), publishing and
``sv-runner`` itself (``runner/``) all use these, so a runner is checked, reached and started one way. This
module never imports ``runner``: it starts it as a process.
"""

from __future__ import annotations

import ipaddress
import json
import shlex
import ssl
import subprocess
import sys
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from .config import DEFAULT_HOME, DEFAULT_PORT, Config, get_config, runner_token, token_instructions

# Short: it runs on every displayed plot, and a refused loopback connection answers at once anyway.
HEALTH_TIMEOUT = 0.5
RUNNER_START_TIMEOUT = 60
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")

# Requests to this machine must not go through an HTTP proxy named in the environment (http_proxy, ...).
_direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def address_host_port(address: str) -> tuple[str, int]:
    """Host and port of a URL, the scheme's port when none is written: ``("127.0.0.1", 8931)``."""
    parts = urlsplit(address)
    return parts.hostname or "127.0.0.1", parts.port or (443 if parts.scheme == "https" else 80)


def is_loopback(host: str) -> bool:
    """True if ``host`` (a name or an address, brackets allowed) is this machine's loopback."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def address_is_loopback(address: str) -> bool:
    """True if the URL ``address`` names this machine, where a runner can be started for it."""
    return is_loopback(address_host_port(address)[0])


def tls_context(url: str) -> ssl.SSLContext:
    """TLS settings for ``url``: certificates checked (``SSL_CERT_FILE`` names another authority), except on
    loopback, where the runner is this machine's own and its certificate names the host others reach it by.
    """
    context = ssl.create_default_context()
    if address_is_loopback(url):
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def open_url(request: urllib.request.Request, timeout: float):
    """Open ``request``: directly (no proxy) on loopback, through the environment's proxies elsewhere.

    On loopback an HTTPS certificate is not checked: the runner there is this machine's own, and its
    certificate usually names the host others reach it by, not 127.0.0.1.
    """
    if not address_is_loopback(request.full_url):
        return urllib.request.urlopen(request, timeout=timeout)
    if request.full_url.startswith("https://"):
        https = urllib.request.HTTPSHandler(context=tls_context(request.full_url))
        return urllib.request.build_opener(urllib.request.ProxyHandler({}), https).open(request, timeout=timeout)
    return _direct.open(request, timeout=timeout)


def authorization(url: str) -> dict[str, str]:
    """The ``Authorization`` header for the runner at ``url`` (from the configuration), or none."""
    token, _ = runner_token(url)
    return {"Authorization": f"Bearer {token}"} if token else {}


def access_refused_message(url: str, status: int) -> str:
    """What to say when the runner at ``url`` answers 401 or 403: which runner, and how to give its token."""
    base = runner_base(url)
    token, where = runner_token(url)
    if token:
        return (
            f"The runner at {base} refused the token of {where} (HTTP {status}): it is not that runner's token. "
            f"Put the right one there; {token_instructions(base)}."
        )
    return f"The runner at {base} needs its token (HTTP {status}): {token_instructions(base)}."


def runner_base(url: str) -> str:
    """``scheme://host:port`` of a URL, to name a runner in messages."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def fetch_health(url: str, timeout: float = HEALTH_TIMEOUT, token: str | None = None) -> dict | None:
    """``GET <url>/health``; the reply if a runner answers it, else None (refused, timed out, not a runner).

    A runner bound to the network answers only with its token, sent as ``Authorization: Bearer``: ``token``,
    else the one the configuration gives for ``url``.
    """
    request = urllib.request.Request(f"{url.rstrip('/')}/health")
    headers = {"Authorization": f"Bearer {token}"} if token else authorization(url)
    for name, value in headers.items():
        request.add_header(name, value)
    try:
        with open_url(request, timeout=timeout) as response:
            reply = json.loads(response.read(64 * 1024))
    except (OSError, ValueError):
        # URLError, timeouts and refused connections are OSErrors; a non-JSON answer is a ValueError.
        return None
    return reply if isinstance(reply, dict) and reply.get("ok") is True else None


def runner_start_command(config: Config) -> str:
    """The shell command that serves ``config``'s address and store (options only where not the defaults)."""
    host, port = address_host_port(config.address)
    command = ["sv-runner", "start"]
    if host != "127.0.0.1":
        command += ["--host", host]
    if port != DEFAULT_PORT:
        command += ["--port", str(port)]
    if config.store_dir.expanduser().resolve() != (DEFAULT_HOME / "store").expanduser().resolve():
        command += ["--store-dir", str(config.store_dir)]
    return shlex.join(command)


def start_local_runner(config: Config | None = None) -> dict | None:
    """Start ``sv-runner start --background`` for the configured address and store; its health, or None.

    Problems are printed (this runs under a notebook's plot call, which should not fail for them).
    """
    config = config or get_config()
    host, port = address_host_port(config.address)
    command = [sys.executable, "-m", "runner.cli", "start", "--background", "--host", host, "--port", str(port)]
    command += ["--store-dir", str(config.store_dir)]
    try:
        result = subprocess.run(
            command, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=RUNNER_START_TIMEOUT
        )
    except (OSError, subprocess.TimeoutExpired) as e:
        print(f"Could not start the sortingview runner ({e}); start it with: {runner_start_command(config)}")
        return None
    if result.returncode != 0:
        # Another notebook may have started one meanwhile; that is as good.
        health = fetch_health(config.address)
        if health is None:
            print(f"Could not start the sortingview runner:\n{result.stderr.strip()}")
        return health
    print(result.stdout.strip())
    return fetch_health(config.address)


def serves_other_store(health: dict, config: Config) -> str | None:
    """The store a runner serves when it is not ``config``'s (its figures would 404 there), else None."""
    served = health.get("store_dir")
    if served and Path(served).resolve() != config.store_dir.expanduser().resolve():
        return served
    return None
