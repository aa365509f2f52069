"""Store files over HTTP: byte ranges, caching headers, bad names, uploads; a real server on 127.0.0.1."""

from __future__ import annotations

import httpx
import pytest

from runner.errors import RangeNotSatisfiable
from runner.files import parse_range
from spikeinterface_sortingview.store import LocalStore

DATA = bytes(range(256)) * 40  # 10240 bytes, every offset distinguishable


@pytest.fixture
def stored(store: LocalStore) -> str:
    """The hash of DATA, stored."""
    return store.store_bytes(DATA).removeprefix("sha1://")


def get(url: str, **headers: str) -> httpx.Response:
    return httpx.get(url, headers=headers, timeout=10)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-99", (0, 100)),
        ("bytes=100-", (100, 1000)),
        ("bytes=-10", (990, 1000)),
        ("bytes=-5000", (0, 1000)),
        ("bytes=990-5000", (990, 1000)),
        ("bytes = 1 - 2", (1, 3)),
        ("bytes=0-1,5-6", None),
    ],
)
def test_parse_range_reads_single_suffix_open_and_clipped_ranges(header: str, expected: tuple[int, int] | None):
    assert parse_range(header, 1000) == expected


@pytest.mark.parametrize("header", ["bytes=1000-", "bytes=5-2", "bytes=-0", "items=0-1", "bytes=x-y", "bytes=-", "0-1"])
def test_parse_range_refuses_unsatisfiable_or_malformed_ranges(header: str):
    with pytest.raises(RangeNotSatisfiable):
        parse_range(header, 1000)


def test_whole_file_with_immutable_caching_headers(runner_url: str, stored: str):
    response = get(f"{runner_url}/sha1/{stored}")
    assert response.status_code == 200
    assert response.content == DATA
    assert response.headers["content-length"] == str(len(DATA))
    assert response.headers["etag"] == f'"{stored}"'
    assert "immutable" in response.headers["cache-control"]
    assert "max-age=31536000" in response.headers["cache-control"]
    assert response.headers["accept-ranges"] == "bytes"
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_first_bytes_range_is_206_with_content_range(runner_url: str, stored: str):
    response = get(f"{runner_url}/sha1/{stored}", Range="bytes=0-99")
    assert response.status_code == 206
    assert response.content == DATA[:100]
    assert response.headers["content-range"] == f"bytes 0-99/{len(DATA)}"
    assert response.headers["content-length"] == "100"


def test_middle_range_crossing_chunk_boundaries(runner_url: str, stored: str):
    response = get(f"{runner_url}/sha1/{stored}", Range="bytes=1000-9999")
    assert response.status_code == 206
    assert response.content == DATA[1000:10000]


def test_suffix_range_gives_the_last_bytes(runner_url: str, stored: str):
    response = get(f"{runner_url}/sha1/{stored}", Range="bytes=-16")
    assert response.status_code == 206
    assert response.content == DATA[-16:]
    assert response.headers["content-range"] == f"bytes {len(DATA) - 16}-{len(DATA) - 1}/{len(DATA)}"


def test_open_ended_range_runs_to_the_end(runner_url: str, stored: str):
    response = get(f"{runner_url}/sha1/{stored}", Range="bytes=10000-")
    assert response.status_code == 206
    assert response.content == DATA[10000:]


def test_range_past_the_end_is_416_with_the_size(runner_url: str, stored: str):
    response = get(f"{runner_url}/sha1/{stored}", Range=f"bytes={len(DATA)}-")
    assert response.status_code == 416
    assert response.headers["content-range"] == f"bytes */{len(DATA)}"
    assert "past the end" in response.text


def test_malformed_range_is_416(runner_url: str, stored: str):
    assert get(f"{runner_url}/sha1/{stored}", Range="bytes=9-3").status_code == 416
    assert get(f"{runner_url}/sha1/{stored}", Range="lines=1-2").status_code == 416


def test_several_ranges_are_answered_with_the_whole_file(runner_url: str, stored: str):
    response = get(f"{runner_url}/sha1/{stored}", Range="bytes=0-1,5-6")
    assert response.status_code == 200
    assert response.content == DATA


def test_if_range_with_another_etag_ignores_the_range(runner_url: str, stored: str):
    response = get(f"{runner_url}/sha1/{stored}", Range="bytes=0-9", **{"If-Range": '"other"'})
    assert response.status_code == 200
    assert response.content == DATA


def test_if_none_match_with_the_hash_is_304(runner_url: str, stored: str):
    response = get(f"{runner_url}/sha1/{stored}", **{"If-None-Match": f'"{stored}"'})
    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["etag"] == f'"{stored}"'


def test_head_gives_headers_without_body(runner_url: str, stored: str):
    response = httpx.head(f"{runner_url}/sha1/{stored}", headers={"Range": "bytes=0-9"}, timeout=10)
    assert response.status_code == 206
    assert response.headers["content-length"] == "10"
    assert response.content == b""


def test_upper_case_hash_names_the_same_file(runner_url: str, stored: str):
    assert get(f"{runner_url}/sha1/{stored.upper()}").content == DATA


def test_unknown_hash_is_404_with_a_short_message(runner_url: str):
    response = get(f"{runner_url}/sha1/{'0' * 40}")
    assert response.status_code == 404
    assert "is not in the store" in response.text
    assert len(response.text) < 300


@pytest.mark.parametrize("name", ["abc", "g" * 40, "0" * 41, "passwd", "%2e%2e"])
def test_a_name_that_is_not_a_hash_is_400(runner_url: str, name: str):
    response = get(f"{runner_url}/sha1/{name}")
    assert response.status_code == 400
    assert "40 hex characters" in response.text


@pytest.mark.parametrize(
    "path",
    [
        "/sha1/../../etc/passwd",
        "/sha1/..%2f..%2fetc%2fpasswd",
        "/sha1/%2e%2e/%2e%2e/etc/passwd",
        "/sha1/aa/bb/cc/" + "a" * 40,
        "/sha1//etc/passwd",
    ],
)
def test_paths_outside_the_store_are_refused(send_raw, runner_url: str, path: str):
    answer = send_raw(runner_url, f"GET {path} HTTP/1.1")
    status = int(answer.split(b" ", 2)[1])
    assert status in (400, 404)
    assert b"root:" not in answer


def test_a_file_beside_the_store_is_not_reachable(send_raw, runner_url: str, store: LocalStore):
    # A file under the store folder but outside the sha1/ layout is not a store file.
    secret = store.directory / "secret.txt"
    secret.parent.mkdir(parents=True, exist_ok=True)
    secret.write_text("secret")
    for path in ("/sha1/../secret.txt", "/secret.txt", "/sha1/secret.txt"):
        answer = send_raw(runner_url, f"GET {path} HTTP/1.1")
        assert b"secret\r\n" not in answer and not answer.endswith(b"secret")


def test_post_stores_bytes_and_get_returns_them(runner_url: str, store: LocalStore):
    body = b'{"labelsByUnit": {"1": ["accept"]}, "mergeGroups": []}'
    response = httpx.post(
        f"{runner_url}/sha1", content=body, headers={"Content-Type": "application/octet-stream"}, timeout=10
    )
    assert response.status_code == 200
    uri = response.json()["uri"]
    assert uri.startswith("sha1://")
    assert store.load_bytes(uri) == body
    assert get(f"{runner_url}/sha1/{uri.removeprefix('sha1://')}").content == body


def test_post_of_a_form_or_text_body_is_refused(runner_url: str):
    # Such bodies need no CORS preflight, so any web page could send them.
    for content_type in ("text/plain", "application/x-www-form-urlencoded"):
        response = httpx.post(f"{runner_url}/sha1", content=b"x", headers={"Content-Type": content_type}, timeout=10)
        assert response.status_code == 415
        assert "application/octet-stream" in response.text


def test_post_larger_than_the_cap_is_413_and_the_server_keeps_serving(serve_app, store: LocalStore, tmp_path):
    url = serve_app(store_dir=store.directory, viewer_dir=tmp_path, max_upload_bytes=1000)
    headers = {"Content-Type": "application/octet-stream"}
    response = httpx.post(f"{url}/sha1", content=b"x" * 1001, headers=headers, timeout=10)
    assert response.status_code == 413
    assert "--max-upload-mb" in response.text

    def chunks():  # no Content-Length: the cap must hold while reading
        for _ in range(20):
            yield b"y" * 100

    response = httpx.post(f"{url}/sha1", content=chunks(), headers=headers, timeout=10)
    assert response.status_code == 413
    assert httpx.post(f"{url}/sha1", content=b"z" * 1000, headers=headers, timeout=10).status_code == 200
    assert not list(store.directory.rglob("*.part"))


def test_server_keeps_serving_after_bad_requests(send_raw, runner_url: str, stored: str):
    for request_line in ("GARBAGE", "GET /sha1/../../x HTTP/1.1", "GET /sha1/" + "f" * 5000 + " HTTP/1.1"):
        send_raw(runner_url, request_line)
    get(f"{runner_url}/sha1/{stored}", Range="bytes=x")
    httpx.post(f"{runner_url}/sha1", content=b"x", timeout=10)
    assert get(f"{runner_url}/sha1/{stored}").content == DATA
