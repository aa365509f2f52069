"""What a figure consists of: its document, the files it names, and what those name in turn.

A figure's JSON names its view files by ``sha1://`` URI; a view may name a shared sorting or recording
(``sortingUri``, ``recordingUri``), whose manifests name their chunks and spike files (``shared-data.md``);
the URL state may name a curation snapshot. Walking these references from the document finds every file
the figure needs somewhere else. Files are immutable, so what a file names is remembered per process.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from ..store import FileNotInStoreError, LocalStore, parse_uri

RECORDING_FORMAT = "spikeinterface-sortingview/recording"
SORTING_FORMAT = "spikeinterface-sortingview/sorting"
SHARED_DATA_FORMAT = b'"format":"spikeinterface-sortingview/'
# sha1://<hash> and kachery:<zone>:sha1:<hash>, as JSON strings hold them. One literal prefix lets the regex
# engine skip through megabytes of base64 (10 times faster than an alternation of the two forms).
_REFERENCE = re.compile(rb"sha1:(?://)?([0-9a-fA-F]{40})")
# Only JSON files can name other files; larger ones are data, never read whole here.
_MAX_JSON_BYTES = 512 * 1024 * 1024

_named: dict[str, tuple[str, ...]] = {}
_named_lock = threading.Lock()


@dataclass(frozen=True)
class FigureTarget:
    """A figure to copy elsewhere: its document and what its figURL said.

    Attributes
    ----------
    document_uri : str
        The figure document (``d=``).
    label : str | None
        The title (``label=``).
    state : str | None
        The URL state (``s=``) as JSON text, e.g. the curation.
    """

    document_uri: str
    label: str | None = None
    state: str | None = None


def figure_target(target: object) -> FigureTarget:
    """Read what to copy from a widget (its ``url``), a figURL or a ``sha1://`` URI of a figure document.

    Raises
    ------
    ValueError
        For anything else, or a figURL without ``d=``.
    """
    url = getattr(target, "url", target)
    if not isinstance(url, str):
        raise ValueError(
            f"Cannot publish a {type(target).__name__}: give a widget made with backend='sortingview' (and "
            "generate_url=True), a figURL, or the sha1:// URI of a figure document"
        )
    if url.startswith(("sha1://", "kachery:")):
        parse_uri(url)  # an InvalidUriError (a ValueError) names the expected forms
        return FigureTarget(url)
    query = parse_qs(urlsplit(url).query)
    if "d" not in query:
        raise ValueError(f"{url[:200]!r} is not a figURL (it has no d= parameter) nor a sha1:// URI")
    return FigureTarget(query["d"][0], (query.get("label") or [None])[0], (query.get("s") or [None])[0])


@dataclass
class FigureContents:
    """The files of a figure, found by :func:`figure_contents`.

    Attributes
    ----------
    files : dict
        ``{sha1: local path}`` of every file to copy, the document first.
    sizes : dict
        ``{sha1: size in bytes}``.
    left_out : list
        URIs of shared-data manifests not copied (a recording without ``include_recording``).
    """

    files: dict[str, Path] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)
    left_out: list[str] = field(default_factory=list)

    @property
    def total_bytes(self) -> int:
        return sum(self.sizes.values())


def figure_contents(
    store: LocalStore, target: FigureTarget, include_recording: bool = False, shared_data: bool = True
) -> FigureContents:
    """Every file of ``store`` that the figure needs, following references from its document and state.

    Parameters
    ----------
    store : LocalStore
        Where the figure's files are.
    target : FigureTarget
        The figure.
    include_recording : bool
        Follow recording manifests (their chunks can be hundreds of GB); otherwise they are listed in
        ``left_out``.
    shared_data : bool
        Follow shared sortings and recordings at all (False for a static copy, which has no compute).

    Raises
    ------
    FileNotInStoreError
        A file the figure names is not in ``store``.
    """
    contents = FigureContents()
    pending = [target.document_uri]
    if target.state:
        pending += [_uri(match) for match in _REFERENCE.finditer(target.state.encode())]
    # Chunks of a recording registered in place are byte ranges of a file that travels whole instead.
    ranges_of_files: set[str] = set()
    while pending:
        uri = pending.pop()
        sha1, _ = parse_uri(uri)
        if sha1 in contents.files or sha1 in ranges_of_files:
            continue
        path = local_path(store, uri)
        if path is None:
            raise FileNotInStoreError(
                f"The figure names {uri}, which is not in the store at {store.directory}; "
                "the figure cannot be copied without it"
            )
        named, data_format = references_in(path, sha1)
        if (data_format == "recording" and not include_recording) or (data_format and not shared_data):
            contents.left_out.append(uri)
            continue
        contents.files[sha1] = path
        contents.sizes[sha1] = path.stat().st_size
        if data_format == "recording":
            ranges_of_files.update(recording_ranges(store, path))
        pending += named
    return contents


def local_path(store: LocalStore, uri: str) -> Path | None:
    """The file holding ``uri``'s bytes: the store's copy, or a file registered in place (unchanged); else None.

    Not hashed here: the receiving end checks every file against its name.
    """
    path = store.path(uri)
    if path.is_file():
        return path
    reference = store.reference(uri)
    if reference is not None and reference.changed_on_disk() is None:
        return Path(reference.path)
    return None


def references_in(path: Path, sha1: str) -> tuple[tuple[str, ...], str | None]:
    """The URIs a file names and its shared-data kind (``"recording"``, ``"sorting"``) or None."""
    with _named_lock:
        known = _named.get(sha1)
    if known is not None:
        return known[1:], known[0] or None
    named: tuple[str, ...] = ()
    kind = ""
    with open(path, "rb") as f:
        head = f.read(2)
        size = f.seek(0, 2)
        if head[:1] in (b"{", b"[") and size <= _MAX_JSON_BYTES:
            f.seek(0)
            data = f.read()
            named = tuple(dict.fromkeys(_uri(match) for match in _REFERENCE.finditer(data)))
            if SHARED_DATA_FORMAT in data:
                kind = shared_data_kind(data)
    with _named_lock:
        _named[sha1] = (kind, *named)
    return named, kind or None


def shared_data_kind(data: bytes) -> str:
    """``"recording"`` or ``"sorting"`` for a shared-data manifest, else ``""`` (a view naming that format, ...)."""
    try:
        manifest = json.loads(data)
    except ValueError:
        return ""
    # Manifests have a format and no view type; a view (EphysTraces) may name the format of what it shows.
    if not isinstance(manifest, dict) or "type" in manifest:
        return ""
    return {RECORDING_FORMAT: "recording", SORTING_FORMAT: "sorting"}.get(manifest.get("format"), "")


def recording_ranges(store: LocalStore, manifest_path: Path) -> set[str]:
    """Hashes of a recording's chunks that are ranges of a whole file registered in place (not files themselves)."""
    manifest = json.loads(manifest_path.read_bytes())
    ranges = set()
    for segment in manifest.get("segments", []):
        if segment.get("file"):
            ranges.update(parse_uri(chunk)[0] for chunk in segment.get("chunks", []) if not store.path(chunk).is_file())
    return ranges


def _uri(match: re.Match) -> str:
    return f"sha1://{match.group(1).decode().lower()}"
