"""The curation action: checked, appended durably to a JSON-lines journal, answered with the replayed state."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap

import pytest

from runner.handlers import DictDataSource, HandlerInputError, run_handler
from runner.handlers.curation import CurationJournal

ACTION = "sortingview.curation_action.1"
STATE = "sortingview.curation_state.1"


def act(data, action, journal="session-1", **extra):
    return run_handler(ACTION, {"journal": journal, "action": action, **extra}, data).data


def test_actions_accumulate_and_the_state_is_returned(data):
    act(data, {"type": "ADD_UNIT_LABEL", "unitId": ["0", "1"], "label": "accept"})
    act(data, {"type": "MERGE_UNITS", "unitIds": ["3", "2"]})
    result = act(data, {"type": "MERGE_UNITS", "unitIds": ["2", "4"]})
    assert result == {
        "curation": {
            "labelsByUnit": {"0": ["accept"], "1": ["accept"]},
            "mergeGroups": [["2", "3", "4"]],
            "isClosed": False,
            "labelChoices": ["accept", "reject", "noise", "artifact", "mua"],
        },
        "numActions": 3,
        "applied": True,
        "canUndo": True,
        "canRedo": False,
    }
    state = run_handler(STATE, {"journal": "journal://session-1"}, data).data
    assert {key: state[key] for key in ("curation", "numActions", "canUndo")} == {
        key: result[key] for key in ("curation", "numActions", "canUndo")
    }
    assert [(a["seq"], a["who"], a["action"]["type"]) for a in state["actions"]] == [
        (0, "local", "ADD_UNIT_LABEL"),
        (1, "local", "MERGE_UNITS"),
        (2, "local", "MERGE_UNITS"),
    ]
    lines = (data.journal_dir / "session-1.jsonl").read_bytes().splitlines()
    assert [json.loads(line)["seq"] for line in lines] == [0, 1, 2]
    assert json.loads(lines[0])["action"] == {"type": "ADD_UNIT_LABEL", "unitId": ["0", "1"], "label": "accept"}


def test_unknown_journal_is_an_empty_curation_and_journals_are_separate(data):
    act(data, {"type": "CLOSE_CURATION"}, journal="a")
    assert run_handler(STATE, {"journal": "b"}, data).data["numActions"] == 0
    assert run_handler(STATE, {"journal": "a"}, data).data["curation"]["isClosed"]


def test_refused_actions_write_nothing(data):
    act(data, {"type": "CLOSE_CURATION"})
    with pytest.raises(HandlerInputError, match="closed; send REOPEN_CURATION"):
        act(data, {"type": "MERGE_UNITS", "unitIds": ["1", "2"]})
    with pytest.raises(HandlerInputError, match="unknown action type"):
        act(data, {"type": "DELETE_EVERYTHING"})
    act(data, {"type": "REOPEN_CURATION"})
    with pytest.raises(HandlerInputError, match="no unit with id '42'"):
        act(data, {"type": "ADD_UNIT_LABEL", "unitId": "42", "label": "mua"}, sorting_uri="sort")
    assert run_handler(STATE, {"journal": "session-1"}, data).data["numActions"] == 2  # close, reopen


def test_splits_are_checked_against_the_sorting_and_undo_redo_are_journal_lines(data, ground_truth):
    sorting = ground_truth[1]
    count = int(sorting.count_num_spikes_per_unit()["1"])
    with pytest.raises(HandlerInputError, match=f"unit 1 has {count} spikes, index {count} is past them"):
        act(data, {"type": "SPLIT_UNIT", "unitId": "1", "indices": [0, count]}, sorting_uri="sort")
    with pytest.raises(HandlerInputError, match="needs two parts"):
        act(data, {"type": "SPLIT_UNIT", "unitId": "1", "indices": list(range(count))}, sorting_uri="sort")
    act(data, {"type": "MERGE_UNITS", "unitIds": ["1", "2"]}, sorting_uri="sort")
    act(data, {"type": "SPLIT_UNIT", "unitId": "1+2", "indices": [0, 1, 2]}, sorting_uri="sort")
    act(data, {"type": "SPLIT_UNIT", "unitId": "(1+2).2", "indices": [5]}, sorting_uri="sort")
    undone = act(data, {"type": "UNDO"})
    assert undone["curation"]["splits"] == [{"unitId": "1+2", "indices": [0, 1, 2]}] and undone["canRedo"]
    redone = act(data, {"type": "REDO"})
    assert len(redone["curation"]["splits"]) == 2 and not redone["canRedo"]
    with pytest.raises(HandlerInputError, match="nothing to redo"):
        act(data, {"type": "REDO"})
    records = run_handler(STATE, {"journal": "session-1"}, data).data["actions"]
    assert [r["action"]["type"] for r in records] == ["MERGE_UNITS", "SPLIT_UNIT", "SPLIT_UNIT", "UNDO", "REDO"]


def test_a_journal_line_that_is_not_json_is_refused_and_nothing_is_written(data):
    act(data, {"type": "MERGE_UNITS", "unitIds": ["1", "2"]})
    path = data.journal_dir / "session-1.jsonl"
    path.write_bytes(path.read_bytes() + b"not json\n")
    before = path.read_bytes()
    with pytest.raises(RuntimeError, match="session-1.jsonl, line 2, is corrupt"):
        act(data, {"type": "UNDO"})
    with pytest.raises(RuntimeError, match="line 2, is corrupt"):
        run_handler(STATE, {"journal": "session-1"}, data)
    assert path.read_bytes() == before


@pytest.mark.parametrize("name", ["../escape", "a/b", "", ".hidden", "x" * 200, 5, "-rf"])
def test_journal_names_cannot_leave_the_journal_folder(data, name):
    with pytest.raises(HandlerInputError, match="journal must be a name"):
        act(data, {"type": "CLOSE_CURATION"}, journal=name)


def test_a_runner_without_a_journal_folder_says_so(ground_truth):
    data = DictDataSource({"sort": ground_truth[1]})
    with pytest.raises(HandlerInputError, match="keeps no curation journals"):
        act(data, {"type": "CLOSE_CURATION"})


def test_a_torn_last_line_is_ignored_and_repaired(tmp_path):
    journal = CurationJournal(tmp_path / "j.jsonl")
    journal.append({"type": "MERGE_UNITS", "unitIds": [1, 2]})
    with open(journal.path, "ab") as f:
        f.write(b'{"seq":1,"time":0,"action":{"type":"MERGE_UN')  # a writer killed mid-line
    actions, state = journal.read()
    assert len(actions) == 1 and state["mergeGroups"] == [[1, 2]]
    journal.append({"type": "MERGE_UNITS", "unitIds": [3, 4]})
    lines = journal.path.read_bytes().split(b"\n")
    assert lines[-1] == b"" and len(lines) == 3 and all(json.loads(line) for line in lines[:-1])
    assert journal.read()[1]["mergeGroups"] == [[1, 2], [3, 4]]


WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from runner.handlers.curation import CurationJournal

    journal = CurationJournal(Path(sys.argv[1]))
    for i in range(int(sys.argv[2])):
        journal.append({"type": "ADD_UNIT_LABEL", "unitId": int(sys.argv[3]) * 1000 + i, "label": "accept"})
        print(i, flush=True)  # the acknowledgement
    sys.stdin.read()  # wait to be killed
    """
)


def test_acknowledged_actions_survive_kill_9(tmp_path):
    path = tmp_path / "j.jsonl"
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), "5", "1"], stdout=subprocess.PIPE, stdin=subprocess.PIPE, text=True
    )
    acknowledged = [proc.stdout.readline() for _ in range(5)]
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert acknowledged == [f"{i}\n" for i in range(5)]
    actions, state = CurationJournal(path).read()
    assert len(actions) == 5 and sorted(state["labelsByUnit"]) == sorted(str(1000 + i) for i in range(5))


def test_concurrent_writers_in_two_processes_serialize(tmp_path):
    path = tmp_path / "j.jsonl"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), "40", str(k)], stdout=subprocess.PIPE, stdin=subprocess.PIPE
        )
        for k in (1, 2)
    ]
    for proc in procs:
        proc.communicate(b"", timeout=60)
    actions, state = CurationJournal(path).read()
    assert len(actions) == 80 and len(state["labelsByUnit"]) == 80
    assert [json.loads(line)["seq"] for line in path.read_bytes().splitlines()] == list(range(80))
