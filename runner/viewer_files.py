"""The viewer bundle over HTTP: the host page at ``/f`` and the files of ``viewer/dist`` under ``/viewer/``."""

from __future__ import annotations

import html
from pathlib import Path, PurePosixPath

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response

import spikeinterface_sortingview
from spikeinterface_sortingview.sharing.export import viewer_dist_dir

from .errors import BadRequest, NotFound, ViewerNotBuilt

SOURCE_DIR = Path(spikeinterface_sortingview.__file__).parent / "viewer"

# Fixed here rather than taken from the system's mime.types, which on some machines maps .js to text/plain
# (browsers then refuse to run the view's module scripts).
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".wasm": "application/wasm",
    ".txt": "text/plain; charset=utf-8",
}
# Vite names everything under assets/ by the hash of its content; the pages themselves change between builds.
HASHED_DIR = "assets"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


def default_viewer_dir() -> Path:
    """The built bundle: ``$SORTINGVIEW_VIEWER_DIR``, else ``spikeinterface_sortingview/viewer/dist``."""
    return viewer_dist_dir()


def build_instructions(dist_dir: Path) -> str:
    """What to run so that ``dist_dir`` holds a built viewer."""
    return (
        f"The viewer bundle is not built: {dist_dir} has no host.html and index.html. "
        f"Build it with `npm ci && npm run build` in {SOURCE_DIR} (needs Node.js and npm; "
        "Debian/Ubuntu: apt-get install nodejs npm), or reinstall the package (pip install . or pip install -e ., "
        "which build it), then reload this page."
    )


def viewer_not_built_page(message: str) -> str:
    """The HTML page answered (503) when the bundle is missing."""
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Viewer not built</title></head>"
        "<body style='font-family: sans-serif; max-width: 50em; margin: 2em auto'>"
        "<h1>The sortingview viewer is not built</h1>"
        f"<p data-testid='viewer-not-built'>{html.escape(message)}</p>"
        "</body></html>"
    )


class ViewerFiles:
    """Serves the host page and the view from a built bundle folder.

    Parameters
    ----------
    dist_dir : Path
        The folder that ``npm run build`` fills: ``host.html``, ``index.html`` and ``assets/``.
    """

    def __init__(self, dist_dir: Path):
        self.dist_dir = Path(dist_dir)

    def is_built(self) -> bool:
        return (self.dist_dir / "host.html").is_file() and (self.dist_dir / "index.html").is_file()

    def _require_built(self) -> None:
        # Checked per request so that a bundle built while the runner runs is picked up without a restart.
        if not self.is_built():
            raise ViewerNotBuilt(build_instructions(self.dist_dir))

    async def host_page(self, request: Request) -> Response:
        """``GET /f``: the host page; it reads ``v``, ``d``, ``s`` and ``label`` from the query itself."""
        await run_in_threadpool(self._require_built)
        return FileResponse(
            self.dist_dir / "host.html", media_type=CONTENT_TYPES[".html"], headers={"Cache-Control": REVALIDATE}
        )

    async def file(self, path: str, request: Request) -> Response:
        """``GET /viewer/<path>``: a file of the bundle (``/viewer/`` is the view's ``index.html``)."""
        if any(ord(c) < 32 or c == "\x7f" for c in path):
            # a NUL reaches no file (the OS refuses the name) and a control character names none of the bundle's
            raise BadRequest(f"/viewer/{path!r} holds a control character; no file of the viewer has one")
        await run_in_threadpool(self._require_built)
        relative = PurePosixPath(path or "index.html")
        # Refuse rather than normalise: a name with .. or an absolute path never means a file of the bundle.
        if relative.is_absolute() or any(part in ("..", "") or part.startswith("\\") for part in relative.parts):
            raise NotFound(f"/viewer/{path} is not a file of the viewer")
        target = (self.dist_dir / relative).resolve()
        if not target.is_relative_to(self.dist_dir.resolve()) or not target.is_file():
            raise NotFound(f"/viewer/{path} is not a file of the viewer")
        cache = IMMUTABLE if relative.parts[0] == HASHED_DIR and len(relative.parts) > 1 else REVALIDATE
        media_type = CONTENT_TYPES.get(target.suffix.lower(), "application/octet-stream")
        return FileResponse(target, media_type=media_type, headers={"Cache-Control": cache})


def not_built_response(message: str) -> HTMLResponse:
    """The 503 answer for a missing bundle."""
    return HTMLResponse(viewer_not_built_page(message), status_code=503, headers={"Cache-Control": "no-store"})
