"""Reading a curation journal file: one JSON object per line, each ``{seq, time, action, id?, who?}``.

The runner appends to journals (``runner/handlers/curation.py``); this module only reads them, so that
:func:`spikeinterface_sortingview.curation.get_curation` and the runner replay a journal the same way.
"""

from __future__ import annotations

import json
from pathlib import Path

from .curation_history import CurationHistory
from .curation_units import CurationError


class CurationJournalError(RuntimeError):
    """A journal file with a line that is not a curation action (the file is left as it is)."""


def parse_journal(content: bytes, source: str | Path) -> tuple[list[dict], CurationHistory]:
    """The journal's records and the history they replay to.

    A last line without its newline was cut by a crash and never acknowledged: it is skipped. Any other
    line that is not JSON, or whose action does not apply, is an error naming the file and the line; the
    journal is then not read at all (no state made of its first lines only).

    Raises
    ------
    CurationJournalError
        For a corrupt line.
    """
    records = []
    history = CurationHistory()
    for number, line in enumerate(content.split(b"\n")[:-1], start=1):
        try:
            record = json.loads(line)
            history.apply(record["action"])
        except (ValueError, KeyError, TypeError, CurationError) as error:
            raise CurationJournalError(
                f"curation journal {source}, line {number}, is corrupt: {error}. Move the file away (or delete "
                "that line) to start the journal again."
            ) from error
        records.append(record)
    return records, history


def read_journal(path: str | Path) -> tuple[list[dict], CurationHistory]:
    """Read a journal file (``<store>/curation_journals/<name>.jsonl``) without locking it."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no curation journal at {path}")
    return parse_journal(path.read_bytes(), path)
