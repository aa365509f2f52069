"""Helpers shared by the extractor tests."""

from __future__ import annotations

from spikeinterface_sortingview.store import LocalStore


def store_files(store: LocalStore) -> dict[str, int]:
    """Every file in a store folder, with its modification time (to prove nothing was written)."""
    if not store.directory.exists():
        return {}
    return {
        str(p.relative_to(store.directory)): p.stat().st_mtime_ns for p in store.directory.rglob("*") if p.is_file()
    }
