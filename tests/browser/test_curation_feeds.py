"""A sorting's curation feed in Chromium: the authorized curator's label is saved on the runner, another's refused."""

from __future__ import annotations

import json
import secrets
import warnings

import pytest
import spikeinterface.core as sc

import spikeinterface_sortingview as sv
from spikeinterface_sortingview.curation import read_journal
from tests.browser.test_live_views import on_runner, shoot
from tests.browser.test_viewer_pages import open_figure
from tests.runner.remote_runners import remote_runner, runner_environment

pytestmark = pytest.mark.browser

STATUS = '[data-testid="curation-runner-status"]'


def label_unit(frame, unit: str, label: str) -> None:
    frame.locator(f'table[data-testid="units-table"] tr[data-unit-id="{unit}"]').click()
    frame.locator(f'[data-testid="label-{label}"]').click()


@pytest.mark.slow
@pytest.mark.ray
def test_only_authorized_curators_write_to_a_sortings_feed(browser, tmp_path, monkeypatch, viewer_dist, ray_address):
    root = tmp_path / "runner"
    env = runner_environment(root)
    for name in ("SORTINGVIEW_HOME", "SORTINGVIEW_STORE_DIR", "SORTINGVIEW_CONFIG"):
        monkeypatch.setenv(name, env[name])
    monkeypatch.setenv("SORTINGVIEW_VIEWER_DIR", str(viewer_dist))
    recording, sorting = sc.generate_ground_truth_recording(
        durations=[10.0], sampling_frequency=30_000.0, num_channels=8, num_units=5, seed=21
    )
    W = sv.create_workspace(label="my lab")
    rid = W.add_recording(
        label="rec1", recording=recording.save(folder=tmp_path / "rec", verbose=False, progress_bar=False)
    )
    sid = W.add_sorting(recording_id=rid, label="ks4", sorting=sorting)
    journal = W.create_curation_feed_for_sorting(sid).removeprefix("journal://")
    W.set_sorting_curation_authorized_users(sid, user_ids=["alice"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SpikeInterface's metrics on a short recording
        # cheap metrics: the feed is under test, not SpikeInterface's metrics (each compiles its numba code)
        params = {"max_spikes_per_unit": 100, "metric_names": ["num_spikes", "firing_rate", "snr"]}
        url = W.spikesortingview(recording_id=rid, sorting_id=sid, label="rec1 / ks4", params=params)
    units = [str(u) for u in sorting.unit_ids]
    tokens = {"alice": secrets.token_urlsafe(24), "bob": secrets.token_urlsafe(24)}
    config = "curators:\n" + "".join(f"  {name}: {token}\n" for name, token in tokens.items())
    path = root / "store" / "curation_journals" / f"{journal}.jsonl"

    # the runner runs its workers on the session's Ray: a Ray of its own would take seconds to start
    with remote_runner(root, args=("--ray-address", ray_address), config=config) as runner:
        figure = on_runner(url, runner.url)
        contexts = []
        try:
            pages = {}
            for name in ("bob", "alice"):
                contexts.append(browser.new_context(viewport={"width": 1600, "height": 1000}))
                contexts[-1].set_default_timeout(120_000)
                pages[name] = contexts[-1].new_page()
            # bob is a curator of the runner, but not of this sorting: refused, and the page says why.
            bob = open_figure(pages["bob"], f"{figure}&token={tokens['bob']}")
            bob.locator(f'{STATUS}[data-state="saved"]').wait_for(timeout=240_000)
            label_unit(bob, units[1], "noise")
            refused = bob.locator(f'{STATUS}[data-state="unavailable"]')
            refused.wait_for()
            text = refused.inner_text()
            assert "Not saved on the runner" in text and "'bob' is not an authorized curator" in text
            assert sid in text and "alice" in text
            shoot(pages["bob"], "curation_feed_refused.png")
            assert not path.exists() or path.read_text() == ""  # the journal is untouched

            # alice is authorized: her label is saved, recorded as hers.
            alice = open_figure(pages["alice"], f"{figure}&token={tokens['alice']}")
            alice.locator(f'{STATUS}[data-state="saved"]').wait_for(timeout=240_000)
            label_unit(alice, units[0], "accept")
            pages["alice"].wait_for_function(
                f"""() => {{
                    const d = document.querySelector('iframe')?.contentDocument
                    const s = d && d.querySelector('{STATUS}')
                    return s && s.dataset.state === 'saved' && (s.title || '').includes('1 actions')
                }}"""
            )
            shoot(pages["alice"], "curation_feed_saved.png")
        finally:
            for context in contexts:
                context.close()

    records = read_journal(path)[0]
    assert [(r["who"], r["action"]["type"]) for r in records] == [("alice", "TOGGLE_UNIT_LABEL")]
    assert W.get_sorting_curation(sid)["labelsByUnit"] == {units[0]: ["accept"]}
    assert json.loads(json.dumps(W.get_sorting_curation(sid, format="spikeinterface")))["manual_labels"] == [
        {"unit_id": units[0], "labels": {"all_labels": ["accept"]}}
    ]
