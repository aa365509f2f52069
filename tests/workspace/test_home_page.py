"""The runner's home page and ``GET /api/workspaces``: a real runner app serving the store of a real workspace."""

from __future__ import annotations

import httpx
import pytest
from starlette.middleware import Middleware

import spikeinterface_sortingview as sv
from runner.access import COOKIE_NAME, AccessMiddleware, AccessPolicy
from runner.app import create_app
from runner.handlers.curation import CurationJournal
from spikeinterface_sortingview.curation import JOURNAL_FOLDER, journal_name_for_sorting
from spikeinterface_sortingview.store import default_store, read_pointer, swap_pointer
from tests.servers import ThreadServer


@pytest.fixture
def serve(tmp_path):
    """``serve(middleware=None)``: a runner app on the test's store, on a real loopback server."""
    servers = []

    def start(middleware=None) -> str:
        app = create_app(default_store().directory, viewer_dir=tmp_path / "no-viewer", middleware=middleware)
        servers.append(ThreadServer(app).start())
        return servers[-1].url

    yield start
    for server in servers:
        server.stop()


def curate(sorting_uri: str, actions: list[dict], who: str = "alice") -> None:
    """Append actions to the sorting's journal as the runner's curation task does."""
    folder = default_store().directory / JOURNAL_FOLDER
    folder.mkdir(exist_ok=True)  # the runner's data source makes it
    journal = CurationJournal(folder / f"{journal_name_for_sorting(sorting_uri)}.jsonl")
    for action in actions:
        journal.append(action, who=who)


def test_workspaces_json_lists_recordings_sortings_and_curation(lab, serve):
    W = lab.workspace
    ground_truth, first_units, nwb_units = W.sorting_ids
    curate(
        W.get_sorting_record(first_units)["uri"],
        [{"type": "MERGE_UNITS", "unitIds": list(lab.sortings[first_units].unit_ids)}, {"type": "UNDO"}],
    )
    url = serve()

    reply = httpx.get(f"{url}/api/workspaces", timeout=30).json()
    assert reply["runner"]["version"] == sv.__version__ and reply["runner"]["compute"] is None
    [workspace] = reply["workspaces"]
    assert workspace["uri"] == W.uri and workspace["label"] == "my lab"
    binary, nwb = workspace["recordings"]
    assert (binary["id"], binary["num_channels"], binary["sampling_frequency"], binary["storage"]) == (
        lab.binary_id,
        8,
        30000.0,
        "in place",
    )
    assert [s["id"] for s in binary["sortings"]] == [ground_truth, first_units]
    assert [s["id"] for s in nwb["sortings"]] == [nwb_units]
    curated = binary["sortings"][1]["curation"]
    assert (curated["actions"], curated["last_who"]) == (2, "alice")
    assert binary["sortings"][0]["curation"] is None
    assert binary["sortings"][0]["num_units"] == 5 and binary["sortings"][0]["figures"] == []

    # an edit moves the pointer: the cached listing shows it on the next request
    W.delete_sorting(nwb_units)
    reply = httpx.get(f"{url}/api/workspaces", timeout=30).json()
    assert reply["workspaces"][0]["recordings"][1]["sortings"] == []


def test_home_page_shows_the_entries_curation_and_runner_facts(lab, serve):
    W = lab.workspace
    sorting_id = W.sorting_ids[0]
    curate(W.get_sorting_record(sorting_id)["uri"], [{"type": "ADD_UNIT_LABEL", "unitId": 0, "label": "accept"}])
    page = httpx.get(f"{serve()}/?q=nwb", timeout=30)

    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    text = page.text
    assert f"sortingview runner {sv.__version__}" in text and str(default_store().directory) in text
    for shown in ("my lab", W.uri, lab.binary_id, "rec1", "4.0 s", "30000 Hz", "3.7 MiB", "nwb session", "in place"):
        assert shown in text
    assert text.count("<tr class='sorting'") == 3
    assert "1 action (last by alice," in text and text.count("not curated") == 2
    assert "value='nwb'" in text  # the filter opens with ?q=


def test_an_empty_store_says_how_to_make_a_workspace(serve):
    text = httpx.get(f"{serve()}/", timeout=30).text
    assert "No workspaces in this store yet" in text and "sv.create_workspace" in text and "/health" in text


def test_a_snapshot_without_figures_is_still_read(lab, serve):
    """Snapshots written before figures were recorded have no ``figures`` field."""
    store = default_store()
    pointer = read_pointer(store, f"workspaces/{lab.workspace.id}")
    older = store.load_json(pointer.uri)
    del older["figures"]
    swap_pointer(store, pointer.name, pointer.uri, store.store_json(older))

    assert lab.workspace.figure_ids == []
    reply = httpx.get(f"{serve()}/api/workspaces", timeout=30).json()
    assert [len(r["sortings"]) for r in reply["workspaces"][0]["recordings"]] == [2, 1]


@pytest.mark.slow
def test_spikesortingview_records_its_figure_and_the_page_links_it(lab, serve):
    W = lab.workspace
    sorting_id = W.sorting_ids[2]
    url = W.spikesortingview(recording_id=lab.nwb_id, sorting_id=sorting_id, label="nwb summary")
    [figure_id] = W.figure_ids
    record = W.get_figure_record(figure_id)
    assert record["url"] == url and url.endswith(f"d={record['uri']}&label=nwb%20summary")
    assert (record["recording_id"], record["sorting_id"]) == (lab.nwb_id, sorting_id)

    text = httpx.get(f"{serve()}/", timeout=30).text
    assert f"<a href='f?d={record['uri']}&amp;label=nwb%20summary' data-figure='{figure_id}'>nwb summary</a>" in text

    # a sorting's figures go with it
    W.delete_sorting(sorting_id)
    assert W.figure_ids == []


def test_a_guarded_runner_asks_its_token_for_the_page_and_its_json(lab, serve):
    policy = AccessPolicy(token="runner-token-0123456789")
    url = serve(middleware=[Middleware(AccessMiddleware, policy=policy)])
    assert httpx.get(f"{url}/", timeout=30).status_code == 401
    assert httpx.get(f"{url}/api/workspaces", timeout=30).status_code == 401
    with httpx.Client(base_url=url, timeout=30) as client:
        page = client.get("/", params={"token": "runner-token-0123456789"})
        assert page.status_code == 200 and "my lab" in page.text
        assert client.cookies.get(COOKIE_NAME) == "runner-token-0123456789"
        assert client.get("/api/workspaces").json()["workspaces"][0]["uri"] == lab.workspace.uri
