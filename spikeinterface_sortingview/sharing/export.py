"""A static copy of a figure: a folder (or .zip) that any static web host serves, under any path, with no runner.

Layout of the copy::

    index.html          the host page, told by a <meta> tag which figure it shows
    viewer/             the view bundle (index.html, assets/)
    sha1/<hash>         the figure's files, by hash

Every address in it is relative, so the folder works wherever it is put (GitHub Pages, S3, ``python -m
http.server`` from a parent folder). Without a runner there is no compute and no curation journal: the page
says so where they would be used; curation still lives in the URL and Export JSON still downloads.
"""

from __future__ import annotations

import html
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from ..store import LocalStore, default_store
from .contents import figure_contents, figure_target

# The <meta> tag that turns the host page into its static mode (read by viewer/src/host/staticFigure.ts).
STATIC_META_NAME = "sortingview-static-figure"
# The host page's assets, relative to the page (a runner serves it at <base>/f, a static copy at <dest>/index.html).
HOST_ASSETS_PREFIX = '"./viewer/assets/'
VIEWER_SOURCE_DIR = Path(__file__).resolve().parent.parent / "viewer"


@dataclass(frozen=True)
class ExportReport:
    """Where a static copy went and how big it is.

    Attributes
    ----------
    path : Path
        The folder or the .zip file.
    files : int
        Figure files copied (the viewer's are not counted).
    bytes : int
        Size of the folder, or of the .zip file.
    """

    path: Path
    files: int
    bytes: int


def viewer_dist_dir() -> Path:
    """The built viewer bundle: ``$SORTINGVIEW_VIEWER_DIR``, else the package's ``viewer/dist``."""
    if os.environ.get("SORTINGVIEW_VIEWER_DIR"):
        return Path(os.environ["SORTINGVIEW_VIEWER_DIR"]).expanduser()
    return VIEWER_SOURCE_DIR / "dist"


def export_figure(target: object, dest: str | Path, store: LocalStore | None = None) -> ExportReport:
    """Write a static copy of a figure to the folder ``dest``, or to a zip file when ``dest`` ends in ``.zip``.

    Parameters
    ----------
    target : widget | str
        A widget plotted with ``backend="sortingview"``, a figURL, or the ``sha1://`` URI of a figure document.
        The figURL's label and state (its curation) go with the copy.
    dest : str | Path
        A folder that does not exist yet (or is empty, or holds an earlier export), or ``<name>.zip``
        (unzipped, it gives the folder ``<name>/``).
    store : LocalStore | None
        Where the figure's files are; the configured store by default.

    Returns
    -------
    ExportReport
        The path and the size of what was written.
    """
    dest = Path(dest).expanduser()
    dist = viewer_dist_dir()
    if not (dist / "host.html").is_file() or not (dist / "index.html").is_file():
        raise FileNotFoundError(
            f"The viewer bundle is not built ({dist} has no host.html and index.html): run `npm ci && npm run build` "
            f"in {VIEWER_SOURCE_DIR}, or reinstall the package"
        )
    figure = figure_target(target)
    contents = figure_contents(store or default_store(), figure, shared_data=False)
    query = {"d": figure.document_uri}
    if figure.label:
        query["label"] = figure.label
    if figure.state:
        query["s"] = figure.state
    page = static_host_page((dist / "host.html").read_text(), urlencode(query))

    if dest.suffix.lower() == ".zip":
        with tempfile.TemporaryDirectory(dir=dest.parent if dest.parent.is_dir() else None) as tmp:
            folder = Path(tmp) / dest.stem
            write_folder(folder, page, dist, contents.files)
            write_zip(folder, dest)
        return ExportReport(dest, len(contents.files), dest.stat().st_size)
    check_destination(dest)
    write_folder(dest, page, dist, contents.files)
    size = sum(p.stat().st_size for p in dest.rglob("*") if p.is_file())
    return ExportReport(dest, len(contents.files), size)


def static_host_page(host_html: str, figure_query: str) -> str:
    """The built host page with relative asset addresses and the figure it shows in a ``<meta>`` tag."""
    if HOST_ASSETS_PREFIX not in host_html:
        raise ValueError("The viewer's host.html does not load its assets from ./viewer/assets/; rebuild the viewer")
    meta = f'<meta name="{STATIC_META_NAME}" content="{html.escape(figure_query, quote=True)}" />'
    return host_html.replace("<head>", f"<head>\n    {meta}", 1)


def check_destination(dest: Path) -> None:
    """Refuse to write into a folder that holds anything but an earlier export."""
    if not dest.exists():
        return
    if not dest.is_dir():
        raise FileExistsError(f"{dest} exists and is not a folder; choose a new folder or a .zip name")
    entries = {p.name for p in dest.iterdir()}
    if entries and not entries <= {"index.html", "viewer", "sha1"}:
        raise FileExistsError(
            f"{dest} holds other files ({', '.join(sorted(entries)[:5])}); export into a new or empty folder"
        )


def write_folder(folder: Path, page: str, dist: Path, files: dict[str, Path]) -> None:
    """Write the host page, the view bundle and the figure's files into ``folder``."""
    (folder / "sha1").mkdir(parents=True, exist_ok=True)
    viewer = folder / "viewer"
    if viewer.exists():
        shutil.rmtree(viewer)  # an earlier export's bundle: its hashed asset names may differ
    shutil.copytree(dist, viewer, ignore=shutil.ignore_patterns("host.html"))
    for sha1, path in files.items():
        target = folder / "sha1" / sha1
        if not target.exists():
            shutil.copyfile(path, target)
    (folder / "index.html").write_text(page)


def write_zip(folder: Path, dest: Path) -> None:
    """Zip ``folder`` as ``<folder name>/...`` into ``dest`` (through a temporary file, renamed at the end)."""
    partial = dest.with_name(dest.name + ".part")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, Path(folder.name) / path.relative_to(folder))
    os.replace(partial, dest)
