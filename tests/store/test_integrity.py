"""No byte leaves the store unchecked: ranges come from files hashed since they last changed; bad files are quarantined."""

from __future__ import annotations

import os

import pytest

from spikeinterface_sortingview.store import CorruptFileError, LocalStore

DATA = bytes(range(256)) * 64


def flip_byte(path, offset: int = 100, keep_times: bool = False) -> None:
    """Change one byte in place, as a failing disk or a stray write would."""
    before = os.stat(path)
    with open(path, "r+b") as f:
        f.seek(offset)
        value = f.read(1)[0]
        f.seek(offset)
        f.write(bytes([value ^ 0xFF]))
    if keep_times:
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


def test_a_range_of_a_corrupt_file_is_refused_and_the_file_quarantined(store: LocalStore):
    uri = store.store_bytes(DATA)
    path = store.path(uri)
    flip_byte(path)
    with pytest.raises(CorruptFileError, match="does not match its hash"):
        store.load_bytes(uri, 0, 10)
    assert not path.exists()
    assert not store.has(uri)
    [quarantined] = store.quarantined()
    assert quarantined.name.startswith(uri.removeprefix("sha1://"))


def test_file_path_refuses_a_file_corrupted_after_it_was_checked(store: LocalStore):
    uri = store.store_bytes(DATA)
    assert store.load_bytes(uri, 5, 10) == DATA[5:10]  # checked, and remembered as checked
    flip_byte(store.path(uri), keep_times=True)  # even with its modification time put back
    with pytest.raises(CorruptFileError):
        store.file_path(uri)


def test_a_quarantined_file_can_be_stored_again(store: LocalStore):
    uri = store.store_bytes(DATA)
    flip_byte(store.path(uri))
    with pytest.raises(CorruptFileError):
        store.load_bytes(uri)
    assert store.store_bytes(DATA) == uri
    assert store.load_bytes(uri, 0, 4) == DATA[:4]


def test_storing_again_replaces_a_corrupt_file_of_another_size(store: LocalStore):
    uri = store.store_bytes(DATA)
    store.path(uri).write_bytes(DATA[:-1])
    store.store_bytes(DATA)
    assert store.load_bytes(uri) == DATA


def test_a_file_registered_in_place_and_rewritten_with_its_old_times_is_not_served(store: LocalStore, tmp_path):
    original = tmp_path / "traces.raw"
    original.write_bytes(DATA)
    uri = store.register_file(original)
    assert store.load_bytes(uri, 0, 3) == DATA[:3]
    flip_byte(original, keep_times=True)
    assert store.file_path(uri) is None
    with pytest.raises(FileNotFoundError, match="registered in place"):
        store.load_bytes(uri, 0, 3)
    assert original.exists()  # the user's own file is never moved
