"""Actions are acknowledged only once written, and a retried action is applied once (real HTTP, real Ray)."""

from __future__ import annotations

import json

import pytest

from tests.runner.compute.test_compute_api import request_task, service_query, split_reply

pytestmark = pytest.mark.ray

ACTION = "sortingview.curation_action.1"


def journal_lines(compute_runner, journal: str) -> list[dict]:
    path = compute_runner.store_dir / "curation_journals" / f"{journal}.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def toggle(unit: str, label: str = "accept") -> dict:
    return {"type": "TOGGLE_UNIT_LABEL", "unitId": unit, "label": label}


def test_an_action_with_a_calculations_job_id_is_run_not_answered_with_its_result(compute_runner):
    info = request_task(
        compute_runner.url, "calculation", "sortingview.sorting_info.1", {"sorting_uri": compute_runner.sorting_uri}
    )
    calculation_id = info.json()["taskJobId"]
    task_input = {"journal": "ids-calculation", "action": toggle("1")}
    response = request_task(compute_runner.url, "action", ACTION, task_input, body={"taskJobId": calculation_id})
    assert response.status_code == 200
    assert "curation" in response.json()["result"]
    assert len(journal_lines(compute_runner, "ids-calculation")) == 1


def test_one_task_job_id_for_two_different_actions_is_refused_not_acknowledged(compute_runner):
    first = request_task(
        compute_runner.url,
        "action",
        ACTION,
        {"journal": "ids-reuse", "action": toggle("1")},
        body={"taskJobId": "myid"},
    )
    second = request_task(
        compute_runner.url,
        "action",
        ACTION,
        {"journal": "ids-reuse", "action": toggle("2")},
        body={"taskJobId": "myid"},
    )
    assert first.status_code == 200
    assert second.status_code == 409 and "another input" in second.json()["errorMessage"]
    assert [line["action"]["unitId"] for line in journal_lines(compute_runner, "ids-reuse")] == [["1"]]


def test_a_retried_action_id_is_applied_once_and_recorded_in_the_journal(compute_runner):
    task_input = {"journal": "ids-retry", "action": toggle("3"), "action_id": "c0ffee-1"}
    replies = [service_query(compute_runner.url, ACTION, task_input) for _ in range(3)]
    results = [split_reply(r.content)[0]["result"] for r in replies]
    assert [r.status_code for r in replies] == [200, 200, 200]
    assert [r["applied"] for r in results] == [True, False, False]
    assert all(r["curation"]["labelsByUnit"] == {"3": ["accept"]} for r in results)  # a toggle not undone
    assert [(line["id"], line["action"]["unitId"]) for line in journal_lines(compute_runner, "ids-retry")] == [
        ("c0ffee-1", ["3"])
    ]


def test_an_action_id_reused_for_another_action_is_refused(compute_runner):
    service_query(compute_runner.url, ACTION, {"journal": "ids-other", "action": toggle("4"), "action_id": "a-1"})
    response = service_query(
        compute_runner.url, ACTION, {"journal": "ids-other", "action": toggle("5"), "action_id": "a-1"}
    )
    assert response.status_code == 400 and "already used for another action" in response.json()["errorMessage"]
    assert len(journal_lines(compute_runner, "ids-other")) == 1
