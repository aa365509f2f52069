"""Who may use a runner: nothing is asked on loopback; any other bind needs the runner's token.

The token is generated on first use and kept in ``<home>/runner/token`` (mode 0600); ``sv-runner start``
shows it to whoever started the runner, and no log records it. A browser passes it once as ``?token=`` (the
runner answers with a cookie) or sends ``Authorization: Bearer <token>``. Curation actions on a runner
reachable from the network also need a curator token, listed in the configuration (sortingview's
"authorized users").
"""

from __future__ import annotations

import logging
import os
import re
import secrets
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from spikeinterface_sortingview.config import home_dir

COOKIE_NAME = "sv_runner_token"
# ``token=<value>`` in a logged request line (``GET /f?d=...&token=... HTTP/1.1``); the value goes, the name stays.
TOKEN_IN_QUERY = re.compile(r"(?<![A-Za-z0-9_])(token=)[^&;#\s\"]*", re.IGNORECASE)
CURATION_TASKS = frozenset({"sortingview.curation_action.1"})


def token_path() -> Path:
    return home_dir() / "runner" / "token"


def read_token(path: Path | None = None) -> str | None:
    """The runner token, or None if none was made yet.

    Raises
    ------
    PermissionError
        If the token file is readable by other users (then the token is no secret any more).
    """
    path = path or token_path()
    if not path.exists():
        return None
    if path.stat().st_mode & 0o077:
        raise PermissionError(f"{path} is readable by other users; run `chmod 600 {path}` or delete it")
    return path.read_text().strip()


def load_or_create_token(path: Path | None = None) -> tuple[str, bool]:
    """The runner token and whether it was just created."""
    path = path or token_path()
    token = read_token(path)
    if token is not None:
        return token, False
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    token = secrets.token_urlsafe(32)
    # O_EXCL with mode 0600: the token is never readable by others, not even for an instant
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(token + "\n")
    return token, True


@dataclass(frozen=True)
class AccessPolicy:
    """What a request must show.

    Attributes
    ----------
    token : str | None
        The runner token every request needs; None on loopback (nothing is asked).
    curator_tokens : dict
        ``{token: curator name}``; with a runner token set, curation actions need one of these.
    """

    token: str | None = None
    curator_tokens: dict[str, str] = field(default_factory=dict)

    def identify(self, presented: str | None) -> tuple[bool, str | None]:
        """``(may use the runner, curator name or None)`` for a presented token."""
        if presented:
            for curator_token, name in self.curator_tokens.items():
                if secrets.compare_digest(presented, curator_token):
                    return True, name
        if self.token is None:
            return True, None
        return presented is not None and secrets.compare_digest(presented, self.token), None


def presented_token(scope: Scope) -> tuple[str | None, bool]:
    """The token a request shows, and whether it came in the query string (then a cookie is set)."""
    headers = dict(scope.get("headers") or [])
    authorization = headers.get(b"authorization", b"").decode("latin-1")
    if authorization.lower().startswith("bearer "):
        return authorization[7:].strip(), False
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    if "token" in query:
        return query["token"][0], True
    cookie = SimpleCookie(headers.get(b"cookie", b"").decode("latin-1"))
    if COOKIE_NAME in cookie:
        return cookie[COOKIE_NAME].value, False
    return None, False


class AccessMiddleware:
    """Refuses requests without the runner token (401) and records who the curator is."""

    def __init__(self, app: ASGIApp, policy: AccessPolicy):
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token, from_query = presented_token(scope)
        allowed, curator = self.policy.identify(token)
        scope.setdefault("state", {})["curator"] = curator
        scope["state"]["may_curate"] = self.policy.token is None or curator is not None
        if not allowed:
            await refuse(send)
            return
        if not (from_query and self.policy.token is not None):
            await self.app(scope, receive, send)
            return

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                cookie = f"{COOKIE_NAME}={token}; Path=/; HttpOnly; SameSite=Strict".encode("latin-1")
                message["headers"] = [*message.get("headers", []), (b"set-cookie", cookie)]
            await send(message)

        await self.app(scope, receive, send_with_cookie)


async def refuse(send: Send) -> None:
    body = (
        b"This runner needs its token. Open the URL that `sv-runner start` printed (it ends in ?token=...), "
        b"or send 'Authorization: Bearer <token>'; the token is in ~/.spikeinterface-sortingview/runner/token "
        b"on the runner's machine.\n"
    )
    await send(
        {
            "type": "http.response.start",
            "status": 401,
            "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"www-authenticate", b"Bearer")],
        }
    )
    await send({"type": "http.response.body", "body": body})


class RedactTokens(logging.Filter):
    """Logging filter that blanks ``token=`` query values in log records (uvicorn's access log logs URLs)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


def redact(text: str) -> str:
    """``text`` with the value of every ``token=`` query parameter replaced by ``***``."""
    return TOKEN_IN_QUERY.sub(r"\1***", text)
