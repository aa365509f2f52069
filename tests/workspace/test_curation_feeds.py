"""Curation feeds with authorized curators: the runner takes a sorting's actions from its authorized users only."""

from __future__ import annotations

import multiprocessing
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from starlette.middleware import Middleware

import spikeinterface_sortingview as sv
from runner.access import AccessMiddleware, AccessPolicy
from runner.app import create_app
from runner.compute import ComputeService
from runner.curation_feeds import CurationFeeds
from runner.executor import RayExecutor, RayOptions
from runner.handler_config import parse_handler_config
from runner.task_results import TaskResultCache
from spikeinterface_sortingview.curation import journal_name_for_sorting, read_journal
from tests.servers import ThreadServer

RUNNER_TOKEN = "runner-token-0123456789"
CURATORS = {"alice": "alice-token-0123456789", "bob": "bob-token-0123456789"}


def test_a_feed_is_the_sortings_journal_and_keeps_its_authorized_users(lab):
    W = lab.workspace
    sorting_id = W.sorting_ids[0]
    assert W.get_sorting_curation_authorized_users(sorting_id) == []
    feed = W.create_curation_feed_for_sorting(sorting_id)
    assert feed == "journal://" + journal_name_for_sorting(W.get_sorting_record(sorting_id)["uri"])
    assert W.create_curation_feed_for_sorting(sorting_id) == feed  # one feed per sorting
    edits = W.pointer().seq

    W.set_sorting_curation_authorized_users(sorting_id, user_ids=["bob", "alice", "bob"])
    assert W.get_sorting_curation_authorized_users(sorting_id) == ["alice", "bob"]
    assert W.snapshot()["change"] == {
        "action": "set_curation_authorized_users",
        "id": sorting_id,
        "users": ["alice", "bob"],
        "time": W.snapshot()["change"]["time"],
    }
    for bad in ("alice", ["ok", ""], [" alice"], [3]):
        with pytest.raises(sv.WorkspaceError, match="user"):
            W.set_sorting_curation_authorized_users(sorting_id, user_ids=bad)
    with pytest.raises(sv.WorkspaceError, match="no sorting 'S-nope'"):
        W.set_sorting_curation_authorized_users("S-nope", user_ids=["alice"])
    assert W.pointer().seq == edits + 1 and W.get_sorting_curation_authorized_users(sorting_id) == ["alice", "bob"]
    assert W.get_sorting_curation(sorting_id)["labelsByUnit"] == {}  # nobody has curated it yet
    with pytest.raises(sv.WorkspaceError, match="format must be"):
        W.get_sorting_curation(sorting_id, format="phy")


@pytest.mark.slow
def test_the_summary_of_a_sorting_writes_to_its_feed(lab):
    W = lab.workspace
    sorting_id = W.sorting_ids[1]  # "first units", a numpy folder shared in place (the analyzer copies it)
    assert W.get_sorting_record(sorting_id)["storage"] == "in place"
    feed = W.create_curation_feed_for_sorting(sorting_id)
    # The summary's curation panel names the sorting whose journal is the feed.
    url = W.spikesortingview(recording_id=lab.binary_id, sorting_id=sorting_id)
    store = sv.default_store()
    figure = store.load_json(parse_qs(urlsplit(url).query)["d"][0])
    panel = next(view for view in figure["views"] if view["type"] == "SortingCuration2")
    assert "journal://" + journal_name_for_sorting(store.load_json(panel["dataUri"])["sortingUri"]) == feed


@pytest.fixture
def feeds_runner(ray_instance, lab, tmp_path):
    """A runner with compute over the lab's store, asking for its token, with two curators (alice and bob).

    Also the same runner's app without the token check (as on loopback), for requests with no curator token.
    """
    store_dir = sv.default_store().directory
    executor = RayExecutor(
        parse_handler_config(None),
        RayOptions(worker_env={"SORTINGVIEW_STORE_DIR": str(store_dir)}),
        journal_dir=str(store_dir / "curation_journals"),
    )
    service = ComputeService(executor, TaskResultCache(store_dir), CurationFeeds(store_dir))
    policy = AccessPolicy(token=RUNNER_TOKEN, curator_tokens={token: name for name, token in CURATORS.items()})
    guarded = ThreadServer(
        create_app(
            store_dir,
            viewer_dir=tmp_path / "none",
            compute=service,
            middleware=[Middleware(AccessMiddleware, policy=policy)],
        )
    ).start()
    loopback = ThreadServer(create_app(store_dir, viewer_dir=tmp_path / "none", compute=service)).start()
    try:
        yield guarded.url, loopback.url
    finally:
        guarded.stop()
        loopback.stop()


def act(url: str, journal: str, action: dict, who: str | None) -> httpx.Response:
    query = {"taskName": "sortingview.curation_action.1", "taskInput": {"journal": journal, "action": action}}
    headers = {"Authorization": f"Bearer {CURATORS[who]}"} if who else {}
    body = {"type": "serviceQueryRequest", "serviceName": "sortingview", "query": query}
    return httpx.post(f"{url}/api", json=body, headers=headers, timeout=120)


@pytest.mark.ray
def test_the_runner_takes_actions_on_a_feed_from_its_authorized_users_only(lab, feeds_runner, monkeypatch):
    url, loopback_url = feeds_runner
    W = lab.workspace
    sorting_id, other_id = W.sorting_ids[0], W.sorting_ids[1]
    journal = W.create_curation_feed_for_sorting(sorting_id)
    W.set_sorting_curation_authorized_users(sorting_id, user_ids=["alice"])
    units = list(lab.sortings[sorting_id].unit_ids)
    path = sv.default_store().directory / "curation_journals" / (journal.removeprefix("journal://") + ".jsonl")

    accepted = act(url, journal, {"type": "ADD_UNIT_LABEL", "unitId": units[0], "label": "accept"}, "alice")
    assert accepted.status_code == 200, accepted.text
    before = path.read_bytes()
    refused = act(url, journal, {"type": "ADD_UNIT_LABEL", "unitId": units[1], "label": "noise"}, "bob")
    assert refused.status_code == 403
    message = refused.json()["errorMessage"]
    assert "'bob' is not an authorized curator" in message and sorting_id in message and "alice" in message
    # without a curator token (a loopback runner's "local"): refused too
    assert act(loopback_url, journal, {"type": "UNDO"}, None).status_code == 403
    assert path.read_bytes() == before  # the journal is untouched
    # a sorting without a feed takes any curator, as before
    other = "journal://" + journal_name_for_sorting(W.get_sorting_record(other_id)["uri"])
    assert act(url, other, {"type": "CLOSE_CURATION"}, "bob").status_code == 200

    # The runner reads the workspace's current snapshot: bob, once authorized, may act.
    W.set_sorting_curation_authorized_users(sorting_id, user_ids=["alice", "bob"])
    assert act(url, journal, {"type": "MERGE_UNITS", "unitIds": units[2:4]}, "bob").status_code == 200
    assert act(url, journal, {"type": "ADD_UNIT_LABEL", "unitId": units[1], "label": "noise"}, "bob").status_code == 200

    curation = W.get_sorting_curation(sorting_id)
    assert curation["labelsByUnit"] == {str(units[0]): ["accept"], str(units[1]): ["noise"]}
    assert curation["mergeGroups"] == [sorted(units[2:4])]
    si_curation = W.get_sorting_curation(sorting_id, format="spikeinterface")
    assert si_curation["format_version"] == "2" and si_curation["merges"][0]["unit_ids"] == sorted(units[2:4])
    assert si_curation == sv.get_curation(path, lab.sortings[sorting_id])
    who = [line["who"] for line in read_journal(path)[0]]
    assert who == ["alice", "bob", "bob"]

    # Through the runner, from a machine whose store does not hold the workspace: the same curation.
    monkeypatch.setenv("SORTINGVIEW_STORE_DIR", str(path.parents[2] / "elsewhere"))
    remote = sv.load_workspace(W.uri, source_url=loopback_url)
    assert remote.get_sorting_curation(sorting_id) == curation
    assert remote.get_sorting_curation_authorized_users(sorting_id) == ["alice", "bob"]


def set_users(uri: str, sorting_id: str, name: str, count: int, start) -> None:
    """In a process of its own: set the sorting's authorized users ``count`` times, ending with ``[name]``."""
    W = sv.load_workspace(uri)
    start.wait()
    for i in range(count):
        W.set_sorting_curation_authorized_users(
            sorting_id, user_ids=[name] if i == count - 1 else [name, f"{name}-{i}"]
        )


def test_two_processes_setting_authorized_users_at_once_keep_both(lab):
    W = lab.workspace
    sortings = W.sorting_ids[:2]
    seq = W.pointer().seq
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(2)
    writers = [
        context.Process(target=set_users, args=(W.uri, sorting_id, name, 10, start))
        for sorting_id, name in zip(sortings, ("alice", "bob"), strict=True)
    ]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(timeout=300)
        assert writer.exitcode == 0

    assert W.get_sorting_curation_authorized_users(sortings[0]) == ["alice"]
    assert W.get_sorting_curation_authorized_users(sortings[1]) == ["bob"]
    assert W.pointer().seq == seq + 20  # every edit of both writers became a snapshot
