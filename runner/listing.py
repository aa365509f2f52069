"""What a store holds, workspace by workspace: ``sv-runner ls`` prints it and the runner's home page shows it."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from spikeinterface_sortingview.config import get_config
from spikeinterface_sortingview.curation import JOURNAL_FOLDER, journal_name_for_sorting
from spikeinterface_sortingview.store import LocalStore, StoreError, list_pointers
from spikeinterface_sortingview.store.pointers import Pointer
from spikeinterface_sortingview.workspace.snapshot import (
    WorkspaceError,
    check_snapshot,
    figures_of,
    ids_by_time,
    sortings_of,
)
from spikeinterface_sortingview.workspace.workspace import POINTER_NAMESPACE, URI_SCHEME


def workspace_listing(store: LocalStore, cache: ListingCache | None = None) -> list[dict]:
    """Every workspace of ``store`` with its recordings, each with its sortings, in the order they were added.

    Parameters
    ----------
    store : LocalStore
        The store whose workspaces (pointers ``workspaces/<id>``) are listed.
    cache : ListingCache | None
        Entries kept from an earlier call: a workspace whose pointer still names the same snapshot is not
        read again (the runner's home page keeps one).

    Returns
    -------
    list of dict
        ``{"uri", "label", "snapshot", "updated", "recordings": [{"id", <the snapshot's record>, "sortings":
        [{"id", <record>, "curation", "figures": [{"id", <record>}]}]}]}`` by label; ``curation`` is null or
        ``{"journal", "actions", "last_time", "last_who"}`` (the runner's journal of the sorting). A workspace
        whose snapshot cannot be read has ``"error"`` instead.
    """
    cache = cache if cache is not None else ListingCache()
    listing = []
    for pointer in list_pointers(store, POINTER_NAMESPACE):
        workspace = cache.workspace(store, pointer)
        recordings = [
            {
                **recording,
                "sortings": [{**s, "curation": cache.curation(store, s["uri"])} for s in recording["sortings"]],
            }
            for recording in workspace["recordings"]
        ]
        listing.append({**workspace, "recordings": recordings})
    cache.keep_only({w["snapshot"] for w in listing})
    return sorted(listing, key=lambda w: (w["label"].lower(), w["uri"]))


def read_workspace(store: LocalStore, pointer: Pointer) -> dict:
    """One workspace of the listing (without curation status), read from the snapshot ``pointer`` names."""
    workspace_id = pointer.name.split("/", 1)[1]
    item = {"uri": URI_SCHEME + workspace_id, "snapshot": pointer.uri, "updated": pointer.time}
    try:
        snapshot = check_snapshot(store.load_json(pointer.uri), pointer.uri)
    except (StoreError, WorkspaceError, ValueError) as e:
        return {**item, "label": "", "error": str(e), "recordings": []}
    sortings, figures = snapshot["sortings"], snapshot.get("figures", {})
    recordings = []
    for recording_id in ids_by_time(snapshot["recordings"]):
        own = [
            {"id": sid, **sortings[sid], "figures": [{"id": fid, **figures[fid]} for fid in figures_of(snapshot, sid)]}
            for sid in sortings_of(snapshot, recording_id)
        ]
        recordings.append({"id": recording_id, **snapshot["recordings"][recording_id], "sortings": own})
    return {**item, "label": snapshot["label"], "recordings": recordings}


def journal_status(path: Path) -> dict | None:
    """How many actions the curation journal at ``path`` holds, and the last one's time and author; None if none.

    Only complete lines count (a last line cut by a crash was never acknowledged, ``docs/curation.md``).
    """
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        return None
    lines = content.split(b"\n")[:-1]
    status = {"journal": path.stem, "actions": len(lines), "last_time": None, "last_who": None}
    if lines:
        try:
            last = json.loads(lines[-1])
            status.update(last_time=last.get("time"), last_who=last.get("who"))
        except (ValueError, AttributeError):
            pass  # the count stands; reading the journal itself names the corrupt line
    return status


class ListingCache:
    """What :func:`workspace_listing` read before: workspaces by snapshot URI, journals by size and mtime.

    A snapshot never changes (its URI is its hash), so a workspace is read again only when its pointer moves;
    a journal is read again only when its size or modification time changed.
    """

    def __init__(self) -> None:
        self._workspaces: dict[str, dict] = {}
        self._journals: dict[Path, tuple[tuple[int, int], dict | None]] = {}

    def workspace(self, store: LocalStore, pointer: Pointer) -> dict:
        key = pointer.uri
        if key not in self._workspaces:
            self._workspaces[key] = read_workspace(store, pointer)
        # the pointer's time changes with it; the rest is the snapshot's
        return {**self._workspaces[key], "updated": pointer.time}

    def curation(self, store: LocalStore, sorting_uri: str) -> dict | None:
        path = store.directory / JOURNAL_FOLDER / f"{journal_name_for_sorting(sorting_uri)}.jsonl"
        try:
            stat = path.stat()
        except FileNotFoundError:
            self._journals.pop(path, None)
            return None
        key = (stat.st_size, stat.st_mtime_ns)
        cached = self._journals.get(path)
        if cached is None or cached[0] != key:
            cached = (key, journal_status(path))
            self._journals[path] = cached
        return cached[1]

    def keep_only(self, snapshots: set[str]) -> None:
        """Forget the workspaces of snapshots no pointer names any more."""
        for uri in set(self._workspaces) - snapshots:
            self._workspaces.pop(uri, None)


def matches(workspace: dict, text: str) -> bool:
    """True if ``text`` (any case) is in the workspace's label or URI, or in a label or id of its entries or figures."""
    text = text.lower()
    names = [workspace["label"], workspace["uri"]]
    for recording in workspace["recordings"]:
        names += [recording["id"], recording["label"]]
        for sorting in recording["sortings"]:
            names += [sorting["id"], sorting["label"], *(f["label"] for f in sorting.get("figures", []))]
    return any(text in name.lower() for name in names)


def format_listing(listing: list[dict]) -> str:
    """The listing as indented text: workspaces, their recordings, and each recording's sortings."""
    if not listing:
        return "No workspaces in this store (make one with sv.create_workspace(label=...))."
    lines = []
    for workspace in listing:
        updated = time.strftime("%Y-%m-%d %H:%M", time.localtime(workspace["updated"]))
        if "error" in workspace:
            lines.append(f"{workspace['uri']}  unreadable: {workspace['error']}")
            continue
        count = sum(len(r["sortings"]) for r in workspace["recordings"])
        lines.append(
            f"{workspace['label']}  {workspace['uri']}  "
            f"({len(workspace['recordings'])} recordings, {count} sortings; updated {updated})"
        )
        for r in workspace["recordings"]:
            lines.append(
                f"  {r['id']}  {r['label']}  {r['duration_sec']:.1f} s  {r['num_channels']} ch  "
                f"{r['sampling_frequency']:g} Hz  {r['size_bytes'] / 2**20:.1f} MiB  {r['storage']}"
            )
            for s in r["sortings"]:
                curation = f"  curated: {s['curation']['actions']} actions" if s.get("curation") else ""
                lines.append(
                    f"    {s['id']}  {s['label']}  {s['num_units']} units  {s['num_spikes']} spikes  {s['storage']}"
                    + curation
                )
                lines += [f"      figure  {f['label']}  {f['url']}" for f in s.get("figures", [])]
    return "\n".join(lines)


def add_ls_command(commands: argparse._SubParsersAction) -> None:
    """``sv-runner ls [TEXT] [--store-dir D] [--json]``."""
    ls = commands.add_parser(
        "ls",
        help="list the workspaces of the store: recordings and their sortings",
        description="List the workspaces of the store (the configured one, or --store-dir): each recording with "
        "its duration, channels, sampling rate, size and storage, and its sortings with units and spikes.",
    )
    ls.add_argument("text", nargs="?", help="only workspaces whose labels or ids (or their entries') contain it")
    ls.add_argument("--store-dir", help="the store folder (default: the configured store)")
    ls.add_argument("--json", action="store_true", help="print JSON (a list of workspaces)")
    ls.set_defaults(run=run_ls)


def run_ls(args: argparse.Namespace) -> int:
    store = LocalStore(args.store_dir or get_config().store_dir)
    listing = [w for w in workspace_listing(store) if not args.text or matches(w, args.text)]
    if args.json:
        print(json.dumps(listing, indent=1))
    elif args.text and not listing:
        print(f"No workspace of the store at {store.directory} matches {args.text!r}.")
    else:
        print(format_listing(listing))
    return 0
