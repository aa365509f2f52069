"""Who may write to a curation journal: the authorized users of the workspace feeds in this runner's store.

Before a curation action is appended, the runner reads every workspace pointer of its store
(``workspaces/<id>``) and the snapshot each names, and finds the sortings whose curation feed is that
journal. If any of them lists authorized users, the curator (the curator token's name, ``local`` without
one) must be listed by every such feed; otherwise the action is refused with 403 and the journal is not
touched. Snapshots are immutable, so what each says about feeds is kept by its URI: an action costs one
small file read per workspace (its pointer).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from spikeinterface_sortingview.store import LocalStore, StoreError
from spikeinterface_sortingview.store.pointers import list_pointers
from spikeinterface_sortingview.workspace.feeds import feed_journals
from spikeinterface_sortingview.workspace.snapshot import WorkspaceError, check_snapshot
from spikeinterface_sortingview.workspace.workspace import POINTER_NAMESPACE, URI_SCHEME

logger = logging.getLogger(__name__)

# Snapshots whose feeds are remembered (each a few names); beyond this the oldest are read again when needed.
MAX_REMEMBERED_SNAPSHOTS = 4096


@dataclass(frozen=True)
class FeedGrant:
    """One workspace sorting whose feed is a journal, and who may write to it."""

    workspace_uri: str
    sorting_id: str
    authorized_users: tuple[str, ...]


class CurationFeedRefused(Exception):
    """A curator not authorized for a feed; the message names the curator, the feed and who is authorized."""


class CurationFeeds:
    """The curation feeds of the workspaces in a store, as the runner checks them.

    Parameters
    ----------
    store_dir : str | Path
        The runner's store (the one it serves).
    """

    def __init__(self, store_dir: str | Path):
        self.store = LocalStore(store_dir)
        self._journals_by_snapshot: OrderedDict[str, dict[str, list[tuple[str, list[str]]]]] = OrderedDict()

    def grants(self, journal: str) -> list[FeedGrant]:
        """Every workspace sorting whose feed is ``journal`` (none: anyone the runner lets curate may)."""
        found = []
        for pointer in list_pointers(self.store, POINTER_NAMESPACE):
            workspace_uri = URI_SCHEME + pointer.name.split("/", 1)[1]
            for sorting_id, users in self._feeds(pointer.uri, workspace_uri).get(journal, []):
                found.append(FeedGrant(workspace_uri, sorting_id, tuple(users)))
        return found

    def check(self, journal: str, curator: str) -> None:
        """Raise ``CurationFeedRefused`` unless ``curator`` may append to ``journal``."""
        for grant in self.grants(journal):
            if grant.authorized_users and curator not in grant.authorized_users:
                raise CurationFeedRefused(
                    f"{curator!r} is not an authorized curator of this sorting (sorting {grant.sorting_id} of "
                    f"{grant.workspace_uri}, curation feed {journal}); its authorized users: "
                    f"{', '.join(grant.authorized_users)}. Nothing was changed. Ask the workspace's owner to run "
                    f"W.set_sorting_curation_authorized_users({grant.sorting_id!r}, user_ids=[...]) with your "
                    "curator name, and open the figure with your curator token."
                )

    def _feeds(self, snapshot_uri: str, workspace_uri: str) -> dict[str, list[tuple[str, list[str]]]]:
        known = self._journals_by_snapshot.get(snapshot_uri)
        if known is not None:
            self._journals_by_snapshot.move_to_end(snapshot_uri)
            return known
        try:
            journals = feed_journals(check_snapshot(self.store.load_json(snapshot_uri), snapshot_uri))
        except (StoreError, WorkspaceError, ValueError) as e:
            # One unreadable workspace must not stop curation everywhere; it is logged, not remembered.
            logger.warning("the workspace %s cannot be read to check its curation feeds: %s", workspace_uri, e)
            return {}
        self._journals_by_snapshot[snapshot_uri] = journals
        if len(self._journals_by_snapshot) > MAX_REMEMBERED_SNAPSHOTS:
            self._journals_by_snapshot.popitem(last=False)
        return journals
