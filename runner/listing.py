"""What a store holds, workspace by workspace: ``sv-runner ls`` prints it (a home page can show the same list)."""

from __future__ import annotations

import argparse
import json
import time

from spikeinterface_sortingview.config import get_config
from spikeinterface_sortingview.store import LocalStore, StoreError, list_pointers
from spikeinterface_sortingview.workspace.snapshot import WorkspaceError, check_snapshot, ids_by_time
from spikeinterface_sortingview.workspace.workspace import POINTER_NAMESPACE, URI_SCHEME


def workspace_listing(store: LocalStore) -> list[dict]:
    """Every workspace of ``store`` with its recordings, each with its sortings, in the order they were added.

    Returns
    -------
    list of dict
        ``{"uri", "label", "snapshot", "updated", "recordings": [{"id", <the snapshot's record>, "sortings":
        [{"id", <record>}]}]}`` by label; a workspace whose snapshot cannot be read has ``"error"`` instead.
    """
    listing = []
    for pointer in list_pointers(store, POINTER_NAMESPACE):
        workspace_id = pointer.name.split("/", 1)[1]
        item = {"uri": URI_SCHEME + workspace_id, "snapshot": pointer.uri, "updated": pointer.time}
        try:
            snapshot = check_snapshot(store.load_json(pointer.uri), pointer.uri)
        except (StoreError, WorkspaceError, ValueError) as e:
            listing.append({**item, "label": "", "error": str(e), "recordings": []})
            continue
        sortings = snapshot["sortings"]
        recordings = []
        for recording_id in ids_by_time(snapshot["recordings"]):
            own = [
                {"id": sid, **sortings[sid]}
                for sid in ids_by_time(sortings)
                if sortings[sid]["recording_id"] == recording_id
            ]
            recordings.append({"id": recording_id, **snapshot["recordings"][recording_id], "sortings": own})
        listing.append({**item, "label": snapshot["label"], "recordings": recordings})
    return sorted(listing, key=lambda w: (w["label"].lower(), w["uri"]))


def matches(workspace: dict, text: str) -> bool:
    """True if ``text`` (any case) is in the workspace's label or URI, or in a label or id of its entries."""
    text = text.lower()
    names = [workspace["label"], workspace["uri"]]
    for recording in workspace["recordings"]:
        names += [recording["id"], recording["label"]]
        names += [n for s in recording["sortings"] for n in (s["id"], s["label"])]
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
                lines.append(
                    f"    {s['id']}  {s['label']}  {s['num_units']} units  {s['num_spikes']} spikes  {s['storage']}"
                )
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
