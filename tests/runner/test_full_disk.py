"""A full disk during an upload: a clear 507, nothing stored under a hash name, and the runner keeps serving."""

from __future__ import annotations

import os
import subprocess

import httpx
import pytest

from spikeinterface_sortingview.store import LocalStore


@pytest.fixture
def small_disk(tmp_path):
    """A real 2 MiB file system (tmpfs), as a full disk behaves: writes past it fail with ENOSPC."""
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount_point)], capture_output=True)
    if mounted.returncode != 0:
        pytest.fail(f"this test needs to mount a tmpfs (root): {mounted.stderr.decode().strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=True)


def test_an_upload_to_a_full_store_is_refused_cleanly(serve_app, small_disk, tmp_path):
    store = LocalStore(small_disk / "store")
    url = serve_app(store_dir=store.directory, viewer_dir=tmp_path / "no-viewer")
    headers = {"Content-Type": "application/octet-stream"}
    small = os.urandom(512 * 1024)
    first = httpx.post(f"{url}/sha1", content=small, headers=headers, timeout=30)
    assert first.status_code == 200

    too_big = os.urandom(3 * 1024 * 1024)
    response = httpx.post(f"{url}/sha1", content=too_big, headers=headers, timeout=30)
    assert response.status_code == 507
    assert "is full" in response.text and "nothing was stored" in response.text

    stored = [p for p in (store.directory / "sha1").rglob("*") if p.is_file()]
    assert [p.name for p in stored] == [first.json()["uri"].removeprefix("sha1://")]  # no partial or temporary file
    assert httpx.get(f"{url}/{first.json()['uri'].replace('://', '/')}", timeout=10).content == small
    again = httpx.post(f"{url}/sha1", content=os.urandom(1000), headers=headers, timeout=30)
    assert again.status_code == 200
