"""Named pointers: set by compare-and-swap only, so a writer never overwrites a change it did not see."""

from __future__ import annotations

import pytest

from spikeinterface_sortingview.store import PointerConflictError, list_pointers, read_pointer, swap_pointer
from spikeinterface_sortingview.store.pointers import InvalidPointerNameError, pointer_path


def test_a_pointer_moves_only_from_the_snapshot_the_writer_read(store):
    first, second, third = (store.store_json({"state": i}) for i in range(3))
    assert read_pointer(store, "workspaces/w1") is None

    created = swap_pointer(store, "workspaces/w1", None, first)
    assert (created.uri, created.seq) == (first, 1)
    with pytest.raises(PointerConflictError, match="is at sha1://.*, not at nothing: another writer"):
        swap_pointer(store, "workspaces/w1", None, second)

    moved = swap_pointer(store, "workspaces/w1", first, second)
    assert (moved.uri, moved.seq) == (second, 2)
    # a writer that started from the first snapshot did not see the second: refused, the pointer unchanged
    with pytest.raises(PointerConflictError, match="another writer changed it"):
        swap_pointer(store, "workspaces/w1", first, third)
    assert read_pointer(store, "workspaces/w1") == moved


def test_pointers_are_listed_by_namespace(store):
    uri = store.store_json({"state": 0})
    for name in ("workspaces/b", "workspaces/a", "feeds/c"):
        swap_pointer(store, name, None, uri)
    assert [p.name for p in list_pointers(store, "workspaces")] == ["workspaces/a", "workspaces/b"]
    assert list_pointers(store, "nothing") == []
    assert pointer_path(store, "workspaces/a") == store.directory / "pointers" / "workspaces" / "a.json"


@pytest.mark.parametrize(
    "name", ["w1", "workspaces/../x", "workspaces/.hidden", "Workspaces/a", "a/b/c", "x/" + "a" * 129]
)
def test_names_that_could_leave_the_folder_are_refused(store, name):
    with pytest.raises(InvalidPointerNameError, match="not a pointer name"):
        swap_pointer(store, name, None, store.store_json({}))
