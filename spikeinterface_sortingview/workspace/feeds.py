"""Curation feeds of a workspace's sortings: the runner journal named for the sorting, and who may write to it.

A sorting's feed is recorded in its snapshot entry as ``curation_feed``::

    {"journal": "sorting-<40 hex>", "authorized_users": ["alice", "bob"], "created": <unix seconds>}

``journal`` is the name every page showing the sorting gives its journal (``journal_name_for_sorting`` of the
sorting's URI); ``authorized_users`` are names of the runner's curator tokens (``curators:`` in its config).
The runner reads them from the workspace snapshot in its store before it appends an action to that journal
(``runner/curation_feeds.py``; ``docs/curation.md``, "Curation feeds").
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Sequence

from ..curation import JOURNAL_FOLDER, empty_curation, journal_name_for_sorting, normalize_curation, read_journal
from ..runner_client import access_refused_message, authorization, open_url
from ..store import LocalStore
from .snapshot import WorkspaceError, entry

FEED_KEY = "curation_feed"
# A user id is a curator token's name in the runner's config: printable, at most 100 characters.
USER_ID = re.compile(r"[^\x00-\x1f\x7f]{1,100}")


def new_feed(sorting: dict) -> dict:
    """The feed of a sorting entry, with no authorized users yet."""
    return {"journal": journal_name_for_sorting(sorting["uri"]), "authorized_users": [], "created": time.time()}


def feed_of(snapshot: dict, sorting_id: str) -> dict | None:
    """The feed of ``sorting_id`` in ``snapshot``, or None when none was created."""
    return entry(snapshot, "sortings", sorting_id).get(FEED_KEY)


def create_feed(snapshot: dict, sorting_id: str) -> dict:
    """Give ``sorting_id`` its feed (kept as it is when it has one); returns the feed."""
    sorting = entry(snapshot, "sortings", sorting_id)
    if FEED_KEY not in sorting:
        sorting[FEED_KEY] = new_feed(sorting)
    return sorting[FEED_KEY]


def check_user_ids(user_ids: Sequence[str]) -> list[str]:
    """The user ids, sorted and without repeats; a ``WorkspaceError`` naming the first bad one."""
    if isinstance(user_ids, str) or not isinstance(user_ids, Sequence):
        raise WorkspaceError(
            f"user_ids must be a list of curator names (as under 'curators:' in the runner's config), got {user_ids!r}"
        )
    for user in user_ids:
        if not isinstance(user, str) or not USER_ID.fullmatch(user) or user != user.strip():
            raise WorkspaceError(
                f"{user!r} is not a user id: use the name of a curator token of the runner (1 to 100 printable "
                "characters, as under 'curators:' in its config). The authorized users are unchanged."
            )
    return sorted(set(user_ids))


def feed_journals(snapshot: dict) -> dict[str, list[tuple[str, list[str]]]]:
    """``{journal: [(sorting id, authorized users), ...]}`` for every sorting of ``snapshot`` with a feed."""
    journals: dict[str, list[tuple[str, list[str]]]] = {}
    for sorting_id, sorting in snapshot.get("sortings", {}).items():
        feed = sorting.get(FEED_KEY)
        if isinstance(feed, dict) and isinstance(feed.get("journal"), str):
            users = [u for u in feed.get("authorized_users", []) if isinstance(u, str)]
            journals.setdefault(feed["journal"], []).append((sorting_id, users))
    return journals


def journal_curation(store: LocalStore, source_url: str | None, journal: str) -> dict:
    """The curation of a journal: in ``store`` (the runner's journals are in its store), else on the runner."""
    if source_url is not None:
        return fetch_journal_curation(source_url, journal)
    path = store.directory / JOURNAL_FOLDER / f"{journal}.jsonl"
    return read_journal(path)[1].state if path.is_file() else empty_curation()


def fetch_journal_curation(base_url: str, journal: str, timeout: float = 60.0) -> dict:
    """The curation of the journal ``journal`` on the runner at ``base_url`` (``sortingview.curation_state.1``)."""
    url = f"{base_url.rstrip('/')}/api"
    query = {"taskName": "sortingview.curation_state.1", "taskInput": {"journal": journal}}
    body = json.dumps({"type": "serviceQueryRequest", "serviceName": "sortingview", "query": query}).encode()
    headers = {"Content-Type": "application/json", **authorization(url)}
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with open_url(request, timeout) as response:
            reply = json.loads(response.read())
    except urllib.error.HTTPError as e:
        if e.code in (401, 403):
            raise WorkspaceError(access_refused_message(url, e.code)) from None
        raise WorkspaceError(
            f"The runner at {base_url} could not read the curation journal {journal} (HTTP {e.code}); "
            "it needs compute (sv-runner start without --no-compute)"
        ) from None
    except (urllib.error.URLError, OSError) as e:
        raise WorkspaceError(f"Cannot reach the runner at {base_url}: {getattr(e, 'reason', e)}") from None
    return normalize_curation(reply["result"]["curation"])
