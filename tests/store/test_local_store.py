import hashlib
import os

import pytest

from spikeinterface_sortingview.store import (
    CorruptFileError,
    FileNotInStoreError,
    InvalidUriError,
    LocalStore,
    parse_uri,
    sha1_uri,
)


def test_files_are_named_by_sha1_in_the_kachery_layout(store):
    data = b"spikes"
    sha1 = hashlib.sha1(data).hexdigest()
    uri = store.store_bytes(data, label="a b.json")
    assert uri == f"sha1://{sha1}?label=a%20b.json"
    assert (store.directory / "sha1" / sha1[:2] / sha1[2:4] / sha1[4:6] / sha1).read_bytes() == data
    assert store.load_bytes(uri) == data and store.load_bytes(f"sha1://{sha1}") == data


def test_byte_ranges(store):
    uri = store.store_bytes(bytes(range(100)))
    assert store.load_bytes(uri, 10, 14) == bytes([10, 11, 12, 13])
    assert store.load_bytes(uri, 95) == bytes(range(95, 100))


def test_label_does_not_change_the_hash_and_storing_twice_writes_nothing(store):
    a = store.store_bytes(b"x", label="one")
    path = store.path(a)
    mtime = path.stat().st_mtime_ns
    b = store.store_bytes(b"x", label="two")
    assert parse_uri(a)[0] == parse_uri(b)[0]
    assert path.stat().st_mtime_ns == mtime


def test_corrupt_file_is_refused(store):
    uri = store.store_bytes(b"good bytes")
    store.path(uri).write_bytes(b"bad bytes!")
    with pytest.raises(CorruptFileError, match="does not match its hash"):
        store.load_bytes(uri)


def test_missing_file_names_uri_and_location(store):
    uri = sha1_uri("0" * 40)
    with pytest.raises(FileNotInStoreError, match=f"{uri} is not in the store at {store.directory}"):
        store.load_bytes(uri)


def test_a_crash_during_write_leaves_no_file_under_the_hash_name(store, monkeypatch):
    def crash(src, dst):
        raise KeyboardInterrupt("killed")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        store.store_bytes(b"half written")
    monkeypatch.undo()
    uri = sha1_uri(hashlib.sha1(b"half written").hexdigest())
    assert not store.has(uri)
    assert [p for p in store.directory.rglob("*") if p.is_file()] == []  # no temporary file left either
    assert store.load_bytes(store.store_bytes(b"half written")) == b"half written"


def test_uri_forms():
    sha1 = "a" * 40
    assert parse_uri(f"sha1://{sha1}?label=x%20y") == (sha1, "x y")
    assert parse_uri(f"kachery:default:sha1:{sha1}:fig.json") == (sha1, "fig.json")
    for bad in ["sha1://xyz", "http://example/a", "sha1://" + "g" * 40, 5]:
        with pytest.raises(InvalidUriError):
            parse_uri(bad)


def test_kachery_cloud_reads_a_folder_written_by_this_store(tmp_path, monkeypatch):
    kcl = pytest.importorskip("kachery_cloud")
    store = LocalStore(tmp_path / "kc")
    uri = store.store_json({"hello": [1, 2, 3]}, label="h.json")
    monkeypatch.setenv("KACHERY_CLOUD_DIR", str(tmp_path / "kc"))
    assert kcl.load_json(uri, local_only=True) == {"hello": [1, 2, 3]}
    # and the other way: a file kachery-cloud stores locally is read by this store
    kc_uri = kcl.store_text_local("from kachery")
    assert store.load_bytes(kc_uri) == b"from kachery"
