"""Workspaces: recordings and sortings gathered under one stable URI, with sortingview v2's names.

::

    W = sv.create_workspace(label="my lab")
    rid = W.add_recording(label="rec1", recording=recording)
    sid = W.add_sorting(recording_id=rid, label="ks4", sorting=sorting)
    W = sv.load_workspace(W.uri)   # another process; another machine with source_url= or SORTINGVIEW_REMOTE

Each state is an immutable JSON snapshot in the store; the pointer ``workspaces/<id>`` names the current
one (``store/pointers.py``). An edit builds the next snapshot from the current one and moves the pointer
by compare-and-swap, retrying on a conflict, so writers in several processes lose nothing.
"""

from __future__ import annotations

import json
import os
import re
from urllib.parse import parse_qs, urlsplit

from spikeinterface.core import BaseRecording, BaseSorting

import extractors

from ..config import get_config
from ..curation import journal_name_for_sorting, to_sortingview_json, to_spikeinterface_curation
from ..figure import figure_url
from ..runner_client import fetch_health, serves_other_store
from ..store import (
    FileNotInStoreError,
    HttpSource,
    LocalStore,
    PointerConflictError,
    RemoteStore,
    StoreError,
    default_store,
    read_pointer,
    sources_from_environment,
    swap_pointer,
)
from ..store.pointers import Pointer, fetch_pointer
from . import feeds
from .snapshot import (
    UnknownIdError,
    WorkspaceError,
    check_registered_recording,
    check_snapshot,
    check_sorting_fits,
    empty_snapshot,
    entry,
    entry_with_uri,
    figure_entry,
    figures_of,
    ids_by_time,
    new_id,
    next_snapshot,
    recording_entry,
    sorting_entry,
    sortings_of,
)
from .summary import open_summary_on_runner, start_summary_on_runner, store_summary_document, summary_task_input

URI_SCHEME = "sv-workspace://"
JOURNAL_SCHEME = "journal://"
POINTER_NAMESPACE = "workspaces"
_WORKSPACE_ID = re.compile(r"[0-9a-f]{20}")
# Compare-and-swap attempts before an edit gives up (each conflict means another writer just succeeded).
MAX_EDIT_ATTEMPTS = 1000


def create_workspace(label: str) -> Workspace:
    """Create an empty workspace in the local store.

    Parameters
    ----------
    label : str
        A name for people; it need not be unique.

    Returns
    -------
    Workspace
        The new workspace; ``W.uri`` (``sv-workspace://<id>``) opens it again anywhere.
    """
    if not isinstance(label, str) or not label.strip():
        raise WorkspaceError(f"A workspace needs a label (a non-empty string), got {label!r}")
    store = default_store()
    workspace_id = os.urandom(10).hex()
    snapshot_uri = store.store_json(empty_snapshot(workspace_id, label))
    swap_pointer(store, _pointer_name(workspace_id), None, snapshot_uri)
    return Workspace(workspace_id, store)


def load_workspace(uri: str, source_url: str | None = None) -> Workspace:
    """Open a workspace by its URI: from the local store, else from a runner that serves it.

    Parameters
    ----------
    uri : str
        ``sv-workspace://<id>``, as ``W.uri`` gives it.
    source_url : str | None
        A runner to read it from when the local store does not hold it (e.g. ``http://host:8931``);
        the runners of ``$SORTINGVIEW_REMOTE`` are asked too. A workspace read from a runner cannot be
        edited here.
    """
    workspace_id = parse_workspace_uri(uri)
    store = default_store()
    if read_pointer(store, _pointer_name(workspace_id)) is not None:
        return Workspace(workspace_id, store)
    sources = ([HttpSource(source_url)] if source_url else []) + sources_from_environment()
    looked = [f"the local store at {store.directory}"]
    for source in sources:
        try:
            fetch_pointer(source.base_url, _pointer_name(workspace_id))
        except FileNotInStoreError:
            looked.append(source.base_url)
            continue
        except StoreError as e:
            looked.append(f"{source.base_url} ({e})")
            continue
        return Workspace(workspace_id, store, source)
    raise WorkspaceError(
        f"No workspace {uri} in {', '.join(looked)}. Fix: pass source_url='http://<runner>:<port>' (or set "
        "SORTINGVIEW_REMOTE) naming the runner of the machine that created it."
    )


def parse_workspace_uri(uri: str) -> str:
    """The id of ``sv-workspace://<id>``."""
    if isinstance(uri, str) and uri.startswith(URI_SCHEME) and _WORKSPACE_ID.fullmatch(uri[len(URI_SCHEME) :]):
        return uri[len(URI_SCHEME) :]
    raise WorkspaceError(f"{uri!r} is not a workspace URI; expected {URI_SCHEME}<20 hex characters>")


def _pointer_name(workspace_id: str) -> str:
    return f"{POINTER_NAMESPACE}/{workspace_id}"


class Workspace:
    """Recordings and sortings under one URI; every read sees the latest state, every edit a new snapshot.

    Create one with ``create_workspace`` and open one with ``load_workspace``.

    Parameters
    ----------
    workspace_id : str
        The workspace's id (20 hex characters).
    store : LocalStore
        The local store (which holds the pointer, unless ``source`` is given).
    source : HttpSource | None
        The runner the workspace is read from when this machine's store does not hold it (read-only).
    """

    def __init__(self, workspace_id: str, store: LocalStore, source: HttpSource | None = None):
        self.id = workspace_id
        self._store = store
        self._source = source
        self._reader = RemoteStore(store, [source] if source else [])

    def __repr__(self) -> str:
        where = f" from {self._source.base_url}" if self._source else ""
        return f"Workspace({self.uri!r}, label={self.label!r}{where})"

    # ------------------------------------------------------------------ reading

    @property
    def uri(self) -> str:
        """``sv-workspace://<id>``: stays the same while the workspace changes."""
        return URI_SCHEME + self.id

    @property
    def source_url(self) -> str | None:
        """The runner this workspace is read from, or None when this machine's store holds it."""
        return self._source.base_url if self._source else None

    def pointer(self) -> Pointer:
        """The pointer to the current snapshot."""
        name = _pointer_name(self.id)
        if self._source is not None:
            return fetch_pointer(self._source.base_url, name)
        pointer = read_pointer(self._store, name)
        if pointer is None:
            raise WorkspaceError(f"The workspace {self.uri} is no longer in the store at {self._store.directory}")
        return pointer

    @property
    def snapshot_uri(self) -> str:
        """The ``sha1://`` URI of the current snapshot (changes with every edit)."""
        return self.pointer().uri

    def snapshot(self) -> dict:
        """The current state, as stored (see ``docs/store.md``)."""
        return self._load_snapshot(self.pointer().uri)

    def _load_snapshot(self, uri: str) -> dict:
        return check_snapshot(self._reader.load_json(uri), uri)

    @property
    def label(self) -> str:
        return self.snapshot()["label"]

    @property
    def recording_ids(self) -> list[str]:
        """Ids of the recordings, in the order they were added."""
        return ids_by_time(self.snapshot()["recordings"])

    @property
    def sorting_ids(self) -> list[str]:
        """Ids of the sortings, in the order they were added."""
        return ids_by_time(self.snapshot()["sortings"])

    @property
    def figure_ids(self) -> list[str]:
        """Ids of the figures made with :meth:`spikesortingview`, in the order they were made."""
        return ids_by_time(self.snapshot().get("figures", {}))

    def get_figure_record(self, figure_id: str) -> dict:
        """What the workspace records of a figure: label, document URI, figURL, recording and sorting ids."""
        snapshot = self.snapshot()
        return entry({"figures": snapshot.get("figures", {})}, "figures", figure_id)

    def get_recording_record(self, recording_id: str) -> dict:
        """What the workspace records of a recording: label, URI, sampling frequency, channels, frames, storage."""
        return entry(self.snapshot(), "recordings", recording_id)

    def get_sorting_record(self, sorting_id: str) -> dict:
        """What the workspace records of a sorting: label, URI, recording id, units, spikes, storage."""
        return entry(self.snapshot(), "sortings", sorting_id)

    def get_recording_extractor(self, recording_id: str) -> BaseRecording:
        """The recording, opened lazily from the store (or from the runner the workspace is read from)."""
        return extractors.load_recording(self.get_recording_record(recording_id)["uri"], source_url=self.source_url)

    def get_sorting_extractor(self, sorting_id: str) -> BaseSorting:
        """The sorting, opened from the store (or from the runner the workspace is read from)."""
        return extractors.load_sorting(self.get_sorting_record(sorting_id)["uri"], source_url=self.source_url)

    # ------------------------------------------------------------------ editing

    def add_recording(self, label: str, recording: BaseRecording | str, exist_ok: bool = False) -> str:
        """Share a recording (in place, by reference, or copied: see ``share_recording``) and add it.

        Parameters
        ----------
        label : str
            A name for people.
        recording : BaseRecording | str
            A recording, or the ``sha1://`` URI ``share_recording`` returned.
        exist_ok : bool
            When the workspace already holds a recording of this URI, return its id and add nothing
            (checked again in the edit itself, so writers racing each other add it once).

        Returns
        -------
        str
            The new recording's id (``R-...``), or with ``exist_ok`` the id of the one already there.
        """
        self._check_editable()
        what = f"Cannot add the recording {label!r} to {self.uri}"
        if exist_ok and isinstance(recording, str):
            found = entry_with_uri(self.snapshot()["recordings"], recording)
            if found is not None:
                return found
        try:
            uri = recording if isinstance(recording, str) else extractors.share_recording(recording)
            shared = extractors.load_recording(uri, source_url=self.source_url)
            # a first frame of each segment: a file registered in place that is gone fails here, not later
            for segment in range(shared.get_num_segments()):
                shared.get_traces(
                    segment_index=segment, start_frame=0, end_frame=min(1, shared.get_num_samples(segment))
                )
        except (FileNotFoundError, ValueError, TypeError, StoreError) as e:
            raise WorkspaceError(f"{what}: {e} The workspace is unchanged.") from e
        record = recording_entry(label, uri, shared, _storage(self._reader, uri))
        recording_id = new_id("R")

        def add(snapshot: dict) -> str | None:
            if exist_ok:
                found = entry_with_uri(snapshot["recordings"], uri)
                if found is not None:
                    return found
            snapshot["recordings"][recording_id] = record
            return None

        return self._edit(add, "add_recording", id=recording_id) or recording_id

    def add_sorting(
        self,
        recording_id: str,
        label: str,
        sorting: BaseSorting | str,
        metadata: dict | None = None,
        exist_ok: bool = False,
    ) -> str:
        """Share a sorting and add it as a sorting of ``recording_id``.

        Parameters
        ----------
        recording_id : str
            The recording it was sorted from (an id of ``recording_ids``).
        label : str
            A name for people.
        sorting : BaseSorting | str
            A sorting, or the ``sha1://`` URI ``share_sorting`` returned.
        metadata : dict | None
            Facts to keep with the entry (JSON), e.g. the sorting job that made it (``sv.run_sorter``).
        exist_ok : bool
            When the recording already has a sorting of this URI, return its id and add nothing (checked
            again in the edit itself, so writers racing each other add it once).

        Returns
        -------
        str
            The new sorting's id (``S-...``), or with ``exist_ok`` the id of the one already there.

        Raises
        ------
        WorkspaceError
            An unknown recording, or a sorting whose sampling frequency, segments or spike frames do not fit it.
        """
        self._check_editable()
        recording = entry(self.snapshot(), "recordings", recording_id)
        if not isinstance(sorting, str):
            check_registered_recording(label, sorting, recording, recording_id)
        if metadata is not None:
            try:
                json.dumps(metadata, allow_nan=False)
            except (TypeError, ValueError) as e:
                raise WorkspaceError(
                    f"Cannot add the sorting {label!r} to {self.uri}: its metadata must be a JSON object ({e}). "
                    "The workspace is unchanged."
                ) from e
        if exist_ok and isinstance(sorting, str):
            found = entry_with_uri(self.snapshot()["sortings"], sorting, recording_id)
            if found is not None:
                return found
        try:
            uri = sorting if isinstance(sorting, str) else extractors.share_sorting(sorting)
            shared = extractors.load_sorting(uri, source_url=self.source_url)
        except (FileNotFoundError, ValueError, TypeError, StoreError) as e:
            raise WorkspaceError(
                f"Cannot add the sorting {label!r} to {self.uri}: {e} The workspace is unchanged."
            ) from e
        record = sorting_entry(label, uri, recording_id, shared, _storage(self._reader, uri))
        if metadata is not None:
            record["metadata"] = metadata
        check_sorting_fits(label, record, recording_id, recording)
        sorting_id = new_id("S")

        def add(snapshot: dict) -> str | None:
            if exist_ok:
                found = entry_with_uri(snapshot["sortings"], uri, recording_id)
                if found is not None:
                    return found
            # checked again against the state the edit applies to: the recording may be gone by now
            check_sorting_fits(label, record, recording_id, entry(snapshot, "recordings", recording_id))
            snapshot["sortings"][sorting_id] = record
            return None

        return self._edit(add, "add_sorting", id=sorting_id) or sorting_id

    def delete_sorting(self, sorting_id: str) -> None:
        """Remove a sorting and the figures made from it from the workspace (their data stay in the store)."""

        def delete(snapshot: dict) -> None:
            entry(snapshot, "sortings", sorting_id)
            del snapshot["sortings"][sorting_id]
            for figure_id in figures_of(snapshot, sorting_id):
                del snapshot["figures"][figure_id]

        self._edit(delete, "delete_sorting", id=sorting_id)

    def delete_recording(self, recording_id: str) -> None:
        """Remove a recording that no sorting of the workspace uses (its data stays in the store)."""

        def delete(snapshot: dict) -> None:
            recording = entry(snapshot, "recordings", recording_id)
            users = sortings_of(snapshot, recording_id)
            if users:
                named = ", ".join(f"{sid} ({snapshot['sortings'][sid]['label']!r})" for sid in users)
                raise WorkspaceError(
                    f"Cannot delete the recording {recording_id} ({recording['label']!r}): the sortings {named} use "
                    "it. Delete them first (W.delete_sorting). The workspace is unchanged."
                )
            del snapshot["recordings"][recording_id]

        self._edit(delete, "delete_recording", id=recording_id)

    def _edit(self, change, action: str, **details) -> str | None:
        """Apply ``change`` to the current snapshot and move the pointer to the result; retry on a conflict.

        ``change`` may return the id of an entry already there instead of editing: then nothing is written and
        that id is returned (None otherwise).
        """
        self._check_editable()
        name = _pointer_name(self.id)
        for _ in range(MAX_EDIT_ATTEMPTS):
            current = self.pointer()
            following = next_snapshot(self._load_snapshot(current.uri), current.uri, action, **details)
            found = change(following)
            if found is not None:
                return found
            uri = self._store.store_json(following)
            try:
                swap_pointer(self._store, name, current.uri, uri)
                return None
            except PointerConflictError:
                continue
        raise WorkspaceError(f"{self.uri} changed {MAX_EDIT_ATTEMPTS} times while this edit was made; try again")

    def _check_editable(self) -> None:
        if self._source is not None:
            raise WorkspaceError(
                f"{self.uri} was read from the runner at {self._source.base_url}; edit it in a process of that "
                "machine (its store holds the workspace)"
            )

    # ------------------------------------------------------------------ curation feeds

    def create_curation_feed_for_sorting(self, sorting_id: str) -> str:
        """Give a sorting its curation feed: the runner journal every page showing the sorting writes to.

        A sorting has one feed; calling this again returns the same one. Until authorized users are set
        (``set_sorting_curation_authorized_users``) the runner takes actions from any curator, as for a
        sorting without a feed.

        Parameters
        ----------
        sorting_id : str
            A sorting of the workspace.

        Returns
        -------
        str
            The feed's URI, ``journal://sorting-<40 hex>`` (the journal's name on the runner).
        """
        if (feed := feeds.feed_of(self.snapshot(), sorting_id)) is None:

            def create(snapshot: dict) -> None:
                feeds.create_feed(snapshot, sorting_id)  # its return value would mean "already there" to _edit

            self._edit(create, "create_curation_feed", id=sorting_id)
            feed = feeds.feed_of(self.snapshot(), sorting_id)
        return JOURNAL_SCHEME + feed["journal"]

    def set_sorting_curation_authorized_users(self, sorting_id: str, user_ids: list[str]) -> None:
        """Say who may curate a sorting: the runner refuses (HTTP 403) actions on its feed from anyone else.

        Parameters
        ----------
        sorting_id : str
            A sorting of the workspace (its feed is created if it has none).
        user_ids : list of str
            Names of curator tokens of the runner that serves this workspace's store (``curators:`` in its
            config). ``"local"`` stands for requests without a curator token (on a loopback runner). An empty
            list lets any curator act again.
        """
        users = feeds.check_user_ids(user_ids)

        def change(snapshot: dict) -> None:
            feeds.create_feed(snapshot, sorting_id)["authorized_users"] = users

        self._edit(change, "set_curation_authorized_users", id=sorting_id, users=users)

    def get_sorting_curation_authorized_users(self, sorting_id: str) -> list[str]:
        """The users who may curate a sorting (sorted); empty when anyone may (no feed, or none set)."""
        feed = feeds.feed_of(self.snapshot(), sorting_id)
        return list(feed["authorized_users"]) if feed else []

    def get_sorting_curation(self, sorting_id: str, format: str = "sortingview") -> dict | list[dict]:
        """The curation of a sorting, as its feed (the runner's journal) holds it now.

        Parameters
        ----------
        sorting_id : str
            A sorting of the workspace.
        format : "sortingview" | "spikeinterface"
            ``"sortingview"``: the curation JSON (``labelsByUnit``, ``mergeGroups``, ...; docs/curation.md);
            ``"spikeinterface"``: SpikeInterface's curation format (version 2), for
            ``spikeinterface.curation.apply_curation`` (as ``sv.get_curation`` gives it).

        Returns
        -------
        dict | list of dict
            An empty curation when nobody has curated the sorting yet.
        """
        if format not in ("sortingview", "spikeinterface"):
            raise WorkspaceError(f"format must be 'sortingview' or 'spikeinterface', got {format!r}")
        journal = journal_name_for_sorting(self.get_sorting_record(sorting_id)["uri"])
        state = feeds.journal_curation(self._store, self.source_url, journal)
        if format == "sortingview":
            return to_sortingview_json(state)
        return to_spikeinterface_curation(state, list(self.get_sorting_extractor(sorting_id).unit_ids))

    # ------------------------------------------------------------------ figures

    def spikesortingview(
        self, recording_id: str, sorting_id: str, label: str | None = None, params: dict | None = None
    ) -> str:
        """A sorting summary figure of a sorting of the workspace; returns its figURL.

        When the configured runner (``SORTINGVIEW_ADDRESS``) answers, has compute and serves this store, the
        runner computes the summary on Ray (``sortingview.sorting_summary.1``, ``docs/compute-api.md``): this
        returns at once, and the page shows the job's progress, then the summary. The runner caches the result
        by its inputs, so the same URL (and the same call, from any machine using that runner) opens at once.
        A workspace read from a runner (``source_url``) asks that runner the same way, and the figure is recorded in
        the runner's workspace and opens there. Otherwise (no runner, a runner without compute) the summary is
        computed here: a sparse in-memory SortingAnalyzer with the extensions ``plot_sorting_summary`` shows.

        The figure is recorded in the workspace (``figure_ids``), so the runner's home page lists it under
        its sorting.

        Parameters
        ----------
        recording_id, sorting_id : str
            Ids of the workspace; the sorting must be one of that recording.
        label : str | None
            The figure's label; default ``"<recording label> / <sorting label>"``.
        params : dict | None
            ``max_spikes_per_unit`` (500), ``ms_before`` (1.0), ``ms_after`` (2.0), ``metric_names`` (the
            quality metrics; default ``spikeinterface_sortingview.demo.DEMO_QUALITY_METRICS``).

        Raises
        ------
        WorkspaceError
            An unknown id, a sorting of another recording, a recording whose file is gone, or a runner that
            refuses the job (its message). The workspace is then unchanged.
        """
        if self._source is not None:
            self._summary_entries(recording_id, sorting_id)
            url = open_summary_on_runner(self._source.base_url, self.id, sorting_id, label, params)
            if url is not None:
                return url
        config = get_config()
        if self._source is None and _runner_computes(config):
            task_input = self.summary_task(recording_id, sorting_id, params)
            start_summary_on_runner(config.address, task_input)
            return self.record_summary(recording_id, sorting_id, task_input, label, config.address, config.view_url)
        recording, sorting = self._summary_entries(recording_id, sorting_id)
        self._check_readable(recording_id)
        label = label or f"{recording['label']} / {sorting['label']}"
        url = self._summary_here(recording_id, sorting_id, label, params)
        self._record_figure(label, url, recording_id, sorting_id)
        return url

    def summary_task(self, recording_id: str, sorting_id: str, params: dict | None = None) -> dict:
        """The input of the runner's summary job of a sorting (``sortingview.sorting_summary.1``), checked.

        Raises
        ------
        WorkspaceError
            An unknown id, a sorting of another recording, or a recording whose file is gone.
        """
        recording, sorting = self._summary_entries(recording_id, sorting_id)
        self._check_readable(recording_id)
        return summary_task_input(recording["uri"], sorting["uri"], params)

    def record_summary(
        self, recording_id: str, sorting_id: str, task_input: dict, label: str | None, address: str, view_url: str
    ) -> str:
        """Store the document of a summary the runner computes, record it as a figure; return its figURL.

        ``address`` and ``view_url`` are the runner's (the figURL opens there).
        """
        recording, sorting = self._summary_entries(recording_id, sorting_id)
        label = label or f"{recording['label']} / {sorting['label']}"
        document_uri = store_summary_document(self._store, task_input)
        url = figure_url(document_uri, label, None, address=address, view_url=view_url)
        self._record_figure(label, url, recording_id, sorting_id)
        return url

    def _summary_entries(self, recording_id: str, sorting_id: str) -> tuple[dict, dict]:
        """The records of a recording and of one of its sortings (``WorkspaceError`` naming what is wrong)."""
        snapshot = self.snapshot()
        recording = entry(snapshot, "recordings", recording_id)
        sorting = entry(snapshot, "sortings", sorting_id)
        if sorting["recording_id"] != recording_id:
            raise WorkspaceError(
                f"The sorting {sorting_id} ({sorting['label']!r}) is a sorting of {sorting['recording_id']}, "
                f"not of {recording_id} ({recording['label']!r})"
            )
        return recording, sorting

    def _check_readable(self, recording_id: str) -> None:
        """Read a first frame of each segment: a file registered in place that is gone fails here, not later."""
        record = self.get_recording_record(recording_id)
        try:
            shared = self.get_recording_extractor(recording_id)
            for segment in range(shared.get_num_segments()):
                shared.get_traces(segment_index=segment, start_frame=0, end_frame=1)
        except (OSError, ValueError, StoreError) as e:
            raise WorkspaceError(
                f"The recording {recording_id} ({record['label']!r}, {record['uri']}) cannot be read: {e}. Was its "
                "file moved or deleted? Put it back, or add the recording again. The workspace is unchanged."
            ) from e

    def _summary_here(self, recording_id: str, sorting_id: str, label: str, params: dict | None) -> str:
        """Compute the summary in this process (a sparse in-memory SortingAnalyzer) and store its figure."""
        # spikeinterface.full (postprocessing, metrics, widgets) is heavy to import; only figures need it
        import spikeinterface.full as si

        from ..demo import SUMMARY_EXTENSIONS, summary_extension_params
        from ..numba_cache import cache_spikeinterface_kernels

        cache_spikeinterface_kernels()
        sorting = self.get_sorting_extractor(sorting_id)
        analyzer = si.create_sorting_analyzer(sorting, self.get_recording_extractor(recording_id), sparse=True)
        analyzer.compute(SUMMARY_EXTENSIONS, extension_params=summary_extension_params(params), verbose=False)
        # the figure names the shared sorting, not the analyzer's copy: its URI names the curation journal
        analyzer.sorting = sorting
        widget = si.plot_sorting_summary(analyzer, backend="sortingview", curation=True, display=False, figlabel=label)
        return widget.url

    def _record_figure(self, label: str, url: str, recording_id: str, sorting_id: str) -> None:
        """Record a figure in the workspace; it replaces an earlier figure of the same sorting and label."""
        if self._source is not None:
            return  # a workspace read from a runner is not edited here; the figure still opens by its URL
        document_uri = parse_qs(urlsplit(url).query)["d"][0]
        recorded = self.snapshot().get("figures", {}).values()
        if any(f["uri"] == document_uri and f["label"] == label and f["sorting_id"] == sorting_id for f in recorded):
            return
        record = figure_entry(label, document_uri, url, recording_id, sorting_id)
        figure_id = new_id("F")

        def add(snapshot: dict) -> None:
            entry(snapshot, "sortings", sorting_id)  # deleted meanwhile: the figure has nothing to be listed under
            figures = snapshot.setdefault("figures", {})
            for earlier in figures_of(snapshot, sorting_id):
                if figures[earlier]["label"] == label:
                    del figures[earlier]
            figures[figure_id] = record

        try:
            self._edit(add, "add_figure", id=figure_id)
        except UnknownIdError:
            pass  # the sorting was deleted while the figure was made; the URL still opens it


def _runner_computes(config) -> bool:
    """Whether the configured runner answers, has compute and serves the configured store."""
    health = fetch_health(config.address)
    return health is not None and health.get("ray") is not None and serves_other_store(health, config) is None


def _storage(store: RemoteStore, uri: str) -> str:
    """How a shared recording or sorting holds its data: ``in place``, ``chain`` (by reference) or ``copied``."""
    manifest = store.load_json(uri)
    if manifest.get("format") == extractors.EXTRACTOR_FORMAT:
        top = manifest["extractor"]["class"]
        return "in place" if top in extractors.FILE_EXTRACTORS else "chain"
    if any(segment.get("file") for segment in manifest.get("segments", [])):
        return "in place"
    if manifest.get("npz_uri") or (manifest.get("spikes_uri") and store.local.reference(manifest["spikes_uri"])):
        return "in place"
    return "copied"
