"""Runners standing for other machines in tests: each its own home, store, port and token, as a real process."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.servers import find_free_port, sv_runner_process


@dataclass
class RemoteRunner:
    """A runner as another machine's: reached at ``url`` with ``token`` (None on loopback)."""

    url: str
    token: str | None
    home: Path
    store_dir: Path
    env: dict[str, str]
    log: Path

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}


def runner_environment(root: Path) -> dict[str, str]:
    """The environment of a runner (and of its CLI) whose home, store and config are under ``root``."""
    env = dict(os.environ)
    env.update(
        SORTINGVIEW_HOME=str(root / "home"),
        SORTINGVIEW_STORE_DIR=str(root / "store"),
        SORTINGVIEW_CONFIG=str(root / "no-config.yaml"),
    )
    for name in ("SORTINGVIEW_ADDRESS", "SORTINGVIEW_TOKEN", "SORTINGVIEW_REMOTE", "SORTINGVIEW_PUBLISH_TO"):
        env.pop(name, None)
    return env


@contextlib.contextmanager
def remote_runner(
    root: Path, host: str = "0.0.0.0", args: tuple[str, ...] = ("--no-compute",), config: str = ""
) -> Iterator[RemoteRunner]:
    """``sv-runner start --host <host>`` in the foreground of a process of its own, stopped with SIGTERM after.

    Bound beyond loopback it asks for a token; the token is written to its home first, so the test knows it.
    ``config`` is the text of its config file (e.g. its ``curators``).
    """
    env = runner_environment(root)
    if config:
        root.mkdir(parents=True, exist_ok=True)
        Path(env["SORTINGVIEW_CONFIG"]).write_text(config)
    home = Path(env["SORTINGVIEW_HOME"])
    token = None
    if host not in ("127.0.0.1", "::1", "localhost"):
        token = secrets.token_urlsafe(32)
        (home / "runner").mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(home / "runner" / "token", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(token + "\n")
    port = find_free_port()
    scheme = "https" if "--certfile" in args else "http"
    url = f"{scheme}://127.0.0.1:{port}"
    root.mkdir(parents=True, exist_ok=True)
    log = root / "runner.log"
    runner = RemoteRunner(url, token, home, Path(env["SORTINGVIEW_STORE_DIR"]), env, log)
    command = ["--host", host, "--port", str(port), "--log-level", "warning", *args]
    with sv_runner_process(command, env, url, log, headers=runner.headers(), stop_timeout=20):
        yield runner
