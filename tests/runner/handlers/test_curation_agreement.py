"""The viewer's reducer and export agree with Python's: Python writes the expected results of action lists to
``viewer/src/state/curationCases.json``, which the viewer's ``curationAgreement.test.ts`` replays.

This test fails when the file is not what Python gives now; regenerate it with
``SV_WRITE_CURATION_CASES=1 python -m pytest tests/runner/handlers/test_curation_agreement.py``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from spikeinterface_sortingview.curation import replay, to_spikeinterface_curation
from tests.runner.handlers.test_curation_round_trip import scenarios

CASES = Path(__file__).parents[3] / "spikeinterface_sortingview" / "viewer" / "src" / "state" / "curationCases.json"
UNIT_IDS = {
    "ints": [10, 11, 12, 13, 14, 15],
    "digits": ["0", "1", "2", "3", "4", "5"],
    "strings": ["u0", "u1", "u2", "u3", "u4", "u5"],
}


def expected_cases() -> list[dict]:
    cases = []
    for kind, unit_ids in UNIT_IDS.items():
        for name, actions in scenarios(unit_ids).items():
            state = replay(actions)
            cases.append(
                {
                    "name": f"{kind}/{name}",
                    "unitIds": unit_ids,
                    "actions": actions,
                    "state": state,
                    "export": to_spikeinterface_curation(state, unit_ids),
                }
            )
    return cases


def test_the_viewer_cases_are_what_python_gives():
    text = json.dumps(expected_cases(), indent=1, sort_keys=True) + "\n"
    if os.environ.get("SV_WRITE_CURATION_CASES"):
        CASES.write_text(text)
    assert CASES.read_text() == text, f"{CASES.name} is out of date: regenerate it (see this module's docstring)"
