"""Files registered in place: same URI as a copy, served from where they are, refused once changed."""

from __future__ import annotations

import hashlib
import os

import pytest

from spikeinterface_sortingview.store import (
    FileNotInStoreError,
    LocalStore,
    ReferenceChangedError,
    hash_file,
    references,
    sha1_uri,
)


@pytest.fixture
def data_file(tmp_path):
    path = tmp_path / "data" / "traces.bin"
    path.parent.mkdir()
    path.write_bytes(os.urandom(3 * 1024 * 1024 + 17))
    return path


def store_contents(store: LocalStore) -> dict[str, int]:
    return {
        str(p.relative_to(store.directory)): p.stat().st_mtime_ns for p in store.directory.rglob("*") if p.is_file()
    }


def test_registered_file_has_the_uri_a_copy_would_get_and_is_not_copied(tmp_path, data_file):
    store = LocalStore(tmp_path / "store")
    uri = store.register_file(data_file)

    assert uri == sha1_uri(hashlib.sha1(data_file.read_bytes()).hexdigest())
    assert not store.path(uri).exists()
    assert store.has(uri)
    assert store.file_path(uri) == data_file.resolve()
    assert sum(p.stat().st_size for p in store.directory.rglob("*") if p.is_file()) < 4096


def test_registered_file_is_read_in_full_and_by_range(tmp_path, data_file):
    store = LocalStore(tmp_path / "store")
    uri = store.register_file(data_file)
    data = data_file.read_bytes()

    assert store.load_bytes(uri) == data
    assert store.load_bytes(uri, 1000, 5000) == data[1000:5000]


def test_modified_file_is_refused_with_the_reason(tmp_path, data_file):
    store = LocalStore(tmp_path / "store")
    uri = store.register_file(data_file)
    with open(data_file, "r+b") as f:
        f.write(b"changed")
    os.utime(data_file, ns=(1, 1))

    assert not store.has(uri)
    assert store.file_path(uri) is None
    with pytest.raises(ReferenceChangedError, match="modified after it was registered") as error:
        store.load_bytes(uri, 0, 10)
    assert str(data_file.resolve()) in str(error.value)
    assert "Register (share) the file again" in str(error.value)


def test_resized_or_removed_file_is_refused(tmp_path, data_file):
    store = LocalStore(tmp_path / "store")
    uri = store.register_file(data_file)
    with open(data_file, "ab") as f:
        f.write(b"more")
    with pytest.raises(ReferenceChangedError, match="changed size"):
        store.load_bytes(uri)
    data_file.unlink()
    with pytest.raises(ReferenceChangedError, match="no longer exists"):
        store.load_bytes(uri)
    assert isinstance(ReferenceChangedError("x"), FileNotInStoreError)


def test_registering_again_an_unchanged_file_hashes_and_writes_nothing(tmp_path, data_file, monkeypatch):
    store = LocalStore(tmp_path / "store")
    uri = store.register_file_in_blocks(data_file, 0, 3 * 1024 * 1024, 1024 * 1024)
    before = store_contents(store)
    calls = []
    real = references.hash_file
    monkeypatch.setattr(
        "spikeinterface_sortingview.store.local.hash_file", lambda *a, **k: calls.append(a) or real(*a, **k)
    )

    again = store.register_file_in_blocks(data_file, 0, 3 * 1024 * 1024, 1024 * 1024)

    assert again == uri
    assert calls == []
    assert store_contents(store) == before


def test_registering_a_changed_file_gives_its_new_uri(tmp_path, data_file):
    store = LocalStore(tmp_path / "store")
    first = store.register_file(data_file)
    data_file.write_bytes(b"new content")
    second = store.register_file(data_file)

    assert second != first
    assert store.load_bytes(second) == b"new content"


def test_block_hashes_are_those_of_the_byte_ranges(tmp_path, data_file):
    store = LocalStore(tmp_path / "store")
    data = data_file.read_bytes()
    start, end, block = 17, len(data) - 100, 1_000_000

    uri, blocks = store.register_file_in_blocks(data_file, start, end, block, n_jobs=2)

    expected = [hashlib.sha1(data[b : min(b + block, end)]).hexdigest() for b in range(start, end, block)]
    assert blocks == [sha1_uri(h) for h in expected]
    assert uri == sha1_uri(hashlib.sha1(data).hexdigest())


def test_hash_file_gives_the_same_hashes_on_one_or_two_threads(data_file):
    one = hash_file(data_file, (5, 3_000_000, 250_000), n_jobs=1)
    two = hash_file(data_file, (5, 3_000_000, 250_000), n_jobs=2)
    assert one == two
    assert one[0] == hashlib.sha1(data_file.read_bytes()).hexdigest()


def test_empty_file_can_be_registered(tmp_path):
    store = LocalStore(tmp_path / "store")
    empty = tmp_path / "empty.bin"
    empty.write_bytes(b"")
    assert store.register_file(empty) == sha1_uri(hashlib.sha1(b"").hexdigest())
    assert store.load_bytes(store.register_file(empty)) == b""


def test_stored_copy_is_preferred_to_a_reference(tmp_path, data_file):
    store = LocalStore(tmp_path / "store")
    uri = store.store_bytes(data_file.read_bytes())
    assert store.register_file(data_file) == uri
    data_file.unlink()
    assert store.file_path(uri) == store.path(uri)
