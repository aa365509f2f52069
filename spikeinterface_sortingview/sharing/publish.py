"""Publishing a figure to another runner: copy the files it lacks, checked by hash, and return the figURL there.

``to="kachery-cloud"`` stores the figure with kachery-cloud instead, for figurl.org (``figurl.py``).
"""

from __future__ import annotations

import json
import sys
import warnings
from dataclasses import dataclass, field

from tqdm.auto import tqdm

from ..config import get_config
from ..figure import figure_url
from ..store import LocalStore, default_store
from .connection import ProgressReader, PublishError, RunnerConnection, answer_text
from .contents import FigureContents, figure_contents, figure_target
from .figurl import KACHERY_CLOUD, publish_to_kachery_cloud

# Hashes per POST /sha1/missing (the runner takes at most 50,000).
MISSING_QUERY_BATCH = 50_000


@dataclass
class PublishReport:
    """What a publish did.

    Attributes
    ----------
    url : str
        The figURL on the remote runner (on figurl.org for kachery-cloud).
    files, bytes : int
        Files (and their bytes) the figure consists of.
    uploaded_files, uploaded_bytes : int
        Those the remote lacked and received; for kachery-cloud, all of them (its client skips, without sending
        them, those its zone already holds).
    left_out : list
        Recordings not copied (publish with ``include_recording=True`` to copy them).
    """

    url: str
    files: int
    bytes: int
    uploaded_files: int
    uploaded_bytes: int
    left_out: list[str] = field(default_factory=list)


def publish(
    target: object,
    to: str | None = None,
    include_recording: bool = False,
    progress: bool | None = None,
    store: LocalStore | None = None,
    service_url: str | None = None,
) -> str:
    """Copy a figure to another runner and return its figURL there.

    Only the files the remote lacks are sent (one request asks which), each checked against its hash on
    arrival; a publish that was interrupted completes when run again. The files a figure needs travel with
    it: its views, the sorting it uses for live compute, the curation snapshot in its URL state.

    Parameters
    ----------
    target : widget | str
        A widget plotted with ``backend="sortingview"``, a figURL, or the ``sha1://`` URI of a figure document.
    to : str | None
        The remote runner's address, e.g. ``https://lab.example.org:8931``, or ``"kachery-cloud"``; default:
        ``publish_to`` in the configuration (``SORTINGVIEW_PUBLISH_TO``). A runner's token comes from the
        configuration (``remotes:``, ``SORTINGVIEW_TOKEN``). ``"kachery-cloud"`` stores the files with
        kachery-cloud's client (configured by ``kachery-cloud-init``) and returns a ``https://figurl.org/f?...``
        URL whose view is ``SORTINGVIEW_VIEW_URL`` (sortingview's published view, which must be set).
    include_recording : bool
        Also copy the recordings the figure reads live (traces, waveforms). They may be hundreds of GB, so by
        default they stay here and the figure's live traces are unavailable on the remote.
    progress : bool | None
        Show a progress bar on stderr; default: when stderr is a terminal.
    store : LocalStore | None
        Where the figure's files are; the configured store by default.
    service_url : str | None
        With ``to="kachery-cloud"``: the runner figurl.org sends live computations to (``sh=``); default: the
        public address (``--public-url``) of the runner serving the figure, if it has one.

    Returns
    -------
    str
        The figURL on the remote runner (its ``--public-url``), or on figurl.org.

    Raises
    ------
    PublishError
        The remote is unreachable, refuses the token, is full, or received bytes that fail their hash; for
        kachery-cloud, ``SORTINGVIEW_VIEW_URL`` or the client's keys are missing, or its upload failed.
    """
    return publish_figure(target, to, include_recording, progress, store, service_url).url


def publish_figure(
    target: object,
    to: str | None = None,
    include_recording: bool = False,
    progress: bool | None = None,
    store: LocalStore | None = None,
    service_url: str | None = None,
) -> PublishReport:
    """``publish``, returning what was done (see :class:`PublishReport`)."""
    to = to or get_config().publish_to
    if not to:
        raise ValueError(
            "publish needs to=<runner URL> or to='kachery-cloud' (or publish_to in the configuration, "
            "SORTINGVIEW_PUBLISH_TO)"
        )
    if to == KACHERY_CLOUD:
        return publish_to_kachery_cloud(target, include_recording, progress, store, service_url)
    if service_url:
        raise ValueError("service_url is for to='kachery-cloud' (a runner serves its own compute)")
    figure = figure_target(target)
    contents = figure_contents(store or default_store(), figure, include_recording=include_recording)
    with RunnerConnection(to) as remote:
        health = remote.json("GET", "/health")
        if not isinstance(health, dict) or health.get("ok") is not True:
            raise PublishError(f"{to} is not a sortingview runner (its /health did not answer ok)")
        missing = missing_files(remote, list(contents.files))
        uploaded_bytes = upload(remote, contents, missing, progress)
    for uri in contents.left_out:
        warnings.warn(
            f"The recording {uri} was not published (include_recording=False): the figure's live traces and "
            f"waveforms are unavailable on {to}.",
            stacklevel=3,
        )
    address = str(health.get("url") or to).rstrip("/")
    state = json.loads(figure.state) if figure.state else None
    url = figure_url(figure.document_uri, figure.label, state, address=address, view_url=f"{address}/viewer")
    return PublishReport(
        url=url,
        files=len(contents.files),
        bytes=contents.total_bytes,
        uploaded_files=len(missing),
        uploaded_bytes=uploaded_bytes,
        left_out=list(contents.left_out),
    )


def missing_files(remote: RunnerConnection, hashes: list[str]) -> list[str]:
    """Those of ``hashes`` the remote store lacks (one request per 50,000)."""
    missing = []
    for start in range(0, len(hashes), MISSING_QUERY_BATCH):
        reply = remote.json("POST", "/sha1/missing", {"sha1": hashes[start : start + MISSING_QUERY_BATCH]})
        if not isinstance(reply, dict) or not isinstance(reply.get("missing"), list):
            raise PublishError(f"{remote.base_url}/sha1/missing did not answer a list; is it a sortingview runner?")
        missing += reply["missing"]
    return missing


def upload(remote: RunnerConnection, contents: FigureContents, missing: list[str], progress: bool | None) -> int:
    """``PUT /sha1/<hash>`` each missing file; the remote stores it only if its bytes hash to its name."""
    total = sum(contents.sizes[sha1] for sha1 in missing)
    show = sys.stderr.isatty() if progress is None else progress
    with tqdm(
        total=total, unit="B", unit_scale=True, unit_divisor=1024, desc="publish", file=sys.stderr, disable=not show
    ) as bar:
        for sha1 in missing:
            path = contents.files[sha1]
            with open(path, "rb") as f:
                status, answer = remote.request(
                    "PUT",
                    f"/sha1/{sha1}",
                    ProgressReader(f, bar.update),
                    {"Content-Type": "application/octet-stream", "Content-Length": str(contents.sizes[sha1])},
                )
            if status == 400:
                raise PublishError(
                    f"{remote.base_url} refused {path}: {answer_text(answer)}. The local file does not hold the "
                    "bytes its name says; share the data again to store a good copy, then publish again."
                )
            if status != 200:
                raise PublishError(
                    f"{remote.base_url} could not store sha1://{sha1} (HTTP {status}): {answer_text(answer)}. "
                    "Files sent so far are kept there: publish again to send the rest."
                )
    return total
