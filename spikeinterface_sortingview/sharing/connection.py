"""One keep-alive HTTP(S) connection to a runner, carrying the token the configuration gives for it.

Publishing sends hundreds of small files and a few large ones: one connection (no handshake per file) and
large send blocks keep it close to what ``curl --data-binary`` does with the same files.
"""

from __future__ import annotations

import http.client
import json
import ssl
from collections.abc import Callable
from typing import BinaryIO
from urllib.parse import urlsplit

from ..runner_client import access_refused_message, authorization, tls_context

SEND_BLOCK_BYTES = 1024 * 1024


class PublishError(RuntimeError):
    """A figure could not be copied to a runner; the message names the runner, the problem and the fix."""


class ProgressReader:
    """A file read by ``http.client`` while it is sent, reporting each block to ``on_read``."""

    def __init__(self, file: BinaryIO, on_read: Callable[[int], None]):
        self.file = file
        self.on_read = on_read

    def read(self, size: int = -1) -> bytes:
        data = self.file.read(size)
        self.on_read(len(data))
        return data

    def seek(self, position: int) -> int:
        # A request sent again on a new connection starts over (the bar then counts those bytes twice).
        return self.file.seek(position)


class RunnerConnection:
    """Requests to the runner at ``url`` over one connection, reopened when the runner closed it.

    Parameters
    ----------
    url : str
        The runner's address (``https://host:port`` or a reverse proxy's ``https://host/path``).
    timeout : float
        Seconds to wait for an answer, or between two pieces of one.

    Notes
    -----
    The connection is direct (no proxy from the environment). HTTPS certificates are checked, except on
    loopback (this machine's own runner); ``SSL_CERT_FILE`` adds a certificate authority.
    """

    def __init__(self, url: str, timeout: float = 120.0):
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"{url!r} is not a runner address; expected e.g. https://lab.example.org:8931")
        self.base_url = url.rstrip("/")
        parts = urlsplit(self.base_url)
        self._https = parts.scheme == "https"
        self._host = parts.hostname or ""
        self._port = parts.port
        self._prefix = parts.path.rstrip("/")
        self._headers = authorization(self.base_url)
        self._timeout = timeout
        self._connection: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def __enter__(self) -> RunnerConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _connect(self) -> http.client.HTTPConnection:
        if self._connection is None:
            if self._https:
                context = tls_context(self.base_url)
                self._connection = http.client.HTTPSConnection(
                    self._host, self._port, timeout=self._timeout, context=context, blocksize=SEND_BLOCK_BYTES
                )
            else:
                self._connection = http.client.HTTPConnection(
                    self._host, self._port, timeout=self._timeout, blocksize=SEND_BLOCK_BYTES
                )
        return self._connection

    def request(
        self, method: str, path: str, body: bytes | BinaryIO | None = None, headers: dict | None = None
    ) -> tuple[int, bytes]:
        """Send one request; ``(status, body)``. A 401/403 or an unreachable runner is a ``PublishError``.

        A request whose connection the runner had closed (an idle keep-alive) is sent again once on a new one.
        """
        all_headers = {**self._headers, **(headers or {})}
        for attempt in (1, 2):
            connection = self._connect()
            try:
                if attempt == 2 and hasattr(body, "seek"):
                    body.seek(0)  # type: ignore[union-attr]
                connection.request(method, self._prefix + path, body=body, headers=all_headers)
                response = connection.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as e:
                self.close()
                if attempt == 2:
                    raise PublishError(f"The runner at {self.base_url} closed the connection: {e}") from None
            except ssl.SSLError as e:
                self.close()
                raise PublishError(
                    f"HTTPS to {self.base_url} failed: {e}. If the runner's certificate is self-signed, set "
                    "SSL_CERT_FILE to it (or to your certificate authority's)."
                ) from None
            except OSError as e:
                self.close()
                raise PublishError(
                    f"Cannot reach the runner at {self.base_url}: {e}. Is it running there (`sv-runner start "
                    "--host 0.0.0.0` on that machine) and reachable from here?"
                ) from None
        if response.status in (401, 403):
            raise PublishError(access_refused_message(self.base_url, response.status))
        return response.status, data

    def json(self, method: str, path: str, payload: object | None = None) -> object:
        """A JSON request whose answer must be 200 and JSON."""
        body = None if payload is None else json.dumps(payload).encode()
        headers = {} if body is None else {"Content-Type": "application/json"}
        status, data = self.request(method, path, body, headers)
        if status != 200:
            raise PublishError(f"{method} {self.base_url}{path} answered HTTP {status}: {answer_text(data)}")
        try:
            return json.loads(data)
        except ValueError:
            raise PublishError(f"{self.base_url}{path} did not answer JSON; is it a sortingview runner?") from None


def answer_text(data: bytes) -> str:
    """An error answer's text (plain text or ``{"errorMessage": ...}``), shortened."""
    text = data.decode("utf-8", "replace").strip()
    try:
        message = json.loads(text).get("errorMessage")
        if isinstance(message, str):
            text = message
    except (ValueError, AttributeError):
        pass
    return text[:500]
