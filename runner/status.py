"""What a runner says about itself: ``GET /health`` for status checks (the home page shows it too, ``home.py``)."""

from __future__ import annotations

import os

from starlette.requests import Request
from starlette.responses import JSONResponse

from spikeinterface_sortingview._version import __version__

COMPUTE_FACTS = ("workers", "ray", "workers_ready")


class RunnerStatus:
    """Facts that ``sv-runner status`` and notebooks check: the version, the process, the store served.

    Parameters
    ----------
    store_dir : str
        The store folder this runner serves, so that a client can tell whether its figures are here.
    public_url : str | None
        Where others reach this runner (``sv-runner start --public-url``, else the address it is bound to);
        a figure published here opens at ``<public_url>/f?...``.
    """

    def __init__(self, store_dir: str, public_url: str | None = None):
        self.store_dir = store_dir
        self.public_url = public_url.rstrip("/") if public_url else None

    def facts(self) -> dict:
        return {
            "ok": True,
            "version": __version__,
            "pid": os.getpid(),
            "store_dir": self.store_dir,
            "url": self.public_url,
        }

    async def health(self, request: Request) -> JSONResponse:
        """``GET /health``: ``{"ok": true, "version", "pid", "store_dir", "url", "workers", "ray", "workers_ready"}``.

        ``workers`` maps each handler group to its started workers, ``ray`` is ``"not started"``, ``"starting"``
        or ``"ready"``, ``workers_ready`` counts the workers that have started and answered; all three are null
        without compute. The server that runs the app with compute sets ``app.state.compute_status`` (a function
        returning them).
        """
        facts = self.facts()
        compute_status = getattr(request.app.state, "compute_status", None)
        facts.update(compute_status() if compute_status is not None else dict.fromkeys(COMPUTE_FACTS))
        return JSONResponse(facts, headers={"Cache-Control": "no-store"})
