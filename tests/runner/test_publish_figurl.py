"""Publishing a figure to kachery-cloud for figurl.org, up to kachery-cloud's upload call and never past it.

kachery-cloud's ``store_file`` is the one function that would reach the network: tests replace it with one that
records the files it is given and answers their ``sha1://`` URIs computed here, or run the real one with
``KACHERY_STORE_FILE_DIR`` (kachery-cloud's own copy to a folder, no network). Every test refuses connections
beyond loopback and ``input()``.
"""

from __future__ import annotations

import builtins
import hashlib
import importlib.util
import re
import socket
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

import spikeinterface_sortingview as sv
from runner.cli import main as sv_runner
from spikeinterface_sortingview.sharing import PublishError, publish_figure
from spikeinterface_sortingview.store import LocalStore
from tests.runner.remote_runners import remote_runner
from tests.runner.test_publish import machine_a, summary  # noqa: F401 (fixtures)

# kachery-cloud is imported by the tests only, once KACHERY_CLOUD_DIR is set; a missing one fails, never skips
if importlib.util.find_spec("kachery_cloud") is None:
    pytest.fail("kachery-cloud, a test dependency, is not installed: pip install -e '.[test]'", pytrace=False)

SORTINGVIEW_VIEW = "npm://@fi-sci/figurl-sortingview@12/dist"
LOOPBACK = ("127.0.0.1", "::1", "localhost")
REFERENCE = re.compile(rb"sha1:(?://)?([0-9a-f]{40})")


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    """No connection beyond loopback, no name lookup of another host, no prompt."""
    real_connect = socket.socket.connect
    real_getaddrinfo = socket.getaddrinfo

    def connect(sock, address):
        if isinstance(address, tuple) and address[0] not in LOOPBACK:
            raise AssertionError(f"a test reached the network: {address}")
        return real_connect(sock, address)

    def getaddrinfo(host, *args, **kwargs):
        if host not in LOOPBACK and host is not None:
            raise AssertionError(f"a test looked up {host}")
        return real_getaddrinfo(host, *args, **kwargs)

    def no_input(*args):
        raise AssertionError("input() was called")

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(builtins, "input", no_input)


@pytest.fixture
def no_client(tmp_path, monkeypatch):
    """kachery-cloud with no client keys anywhere: an empty KACHERY_CLOUD_DIR, no key variables."""
    monkeypatch.setenv("KACHERY_CLOUD_DIR", str(tmp_path / "kachery-cloud"))
    for name in (
        "KACHERY_CLOUD_CLIENT_ID",
        "KACHERY_CLOUD_PRIVATE_KEY",
        "KACHERY_STORE_FILE_DIR",
        "KACHERY_STORE_FILE_PREFIX",
        "KACHERY_ZONE",
        "FIGURL_BASE_URL",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def configured(no_client, machine_a, monkeypatch):  # noqa: F811
    """A user who set sortingview's view and has a kachery-cloud client (its keys in the environment)."""
    monkeypatch.setenv("SORTINGVIEW_VIEW_URL", SORTINGVIEW_VIEW)
    monkeypatch.setenv("KACHERY_CLOUD_CLIENT_ID", "ab" * 32)
    monkeypatch.setenv("KACHERY_CLOUD_PRIVATE_KEY", "cd" * 32)
    return machine_a


@pytest.fixture
def uploads(no_client, monkeypatch):
    """Replace kachery-cloud's upload: record ``{sha1 of the bytes: path}`` of each file, answer its URI."""
    import kachery_cloud

    handed: dict[str, Path] = {}

    def store_file(filename, label=None, cache_locally=False, local=False):
        sha1 = hashlib.sha1(Path(filename).read_bytes()).hexdigest()
        handed[sha1] = Path(filename)
        return f"sha1://{sha1}" + (f"?label={label}" if label else "")

    monkeypatch.setattr(kachery_cloud, "store_file", store_file)
    return handed


def figure_url_at(summary_url: str, address: str) -> str:
    """The summary's figURL as a runner at ``address`` would hand it out."""
    query = parse_qs(urlsplit(summary_url).query)
    return f"{address}/f?v={address}/viewer&d={query['d'][0]}&label=Sorting%20summary"


def named_hashes(path: Path) -> set[str]:
    data = path.read_bytes()
    if data[:1] not in (b"{", b"["):
        return set()
    return {match.decode() for match in REFERENCE.findall(data)}


def test_every_file_of_the_figure_is_handed_to_kachery_cloud_and_the_url_opens_it_on_figurl_org(
    configured, uploads, monkeypatch
):
    monkeypatch.setenv("KACHERY_ZONE", "lab")
    service = "https://sortings.lab.example.org/sv"
    report = publish_figure(configured["url"], to="kachery-cloud", service_url=service)

    query = parse_qs(urlsplit(report.url).query)
    document = parse_qs(urlsplit(configured["url"]).query)["d"][0].removeprefix("sha1://")
    assert report.url.startswith("https://figurl.org/f?")
    assert query["v"] == [SORTINGVIEW_VIEW] and query["d"] == [f"sha1://{document}"]
    assert query["label"] == parse_qs(urlsplit(configured["url"]).query)["label"]
    assert query["sh"] == [service] and query["zone"] == ["lab"]

    # Each file handed over holds the bytes its name says, and the set is closed: whatever a handed JSON file
    # names was handed too, except the recording (include_recording=False).
    store = Path(configured["env"]["SORTINGVIEW_STORE_DIR"])
    assert all(path.name == sha1 for sha1, path in uploads.items())
    assert document in uploads and configured["sorting_uri"].removeprefix("sha1://") in uploads
    recording = configured["recording_uri"].removeprefix("sha1://")
    assert recording not in uploads
    for path in uploads.values():
        assert named_hashes(path) - {recording} <= set(uploads), path
        assert path.is_relative_to(store)
    assert report.files == len(uploads) > 5 and report.bytes == sum(p.stat().st_size for p in uploads.values())


def test_the_recording_is_handed_over_only_with_include_recording(configured, uploads):
    figure = sv.Figure(sv.views.EphysTraces("spikeinterface-sortingview/recording", configured["recording_uri"]))
    url = figure.url(label="traces", address="https://sortings.lab.example.org")
    manifest = configured["recording_uri"].removeprefix("sha1://")
    with pytest.warns(UserWarning, match="unavailable on figurl.org"):
        report = publish_figure(url, to="kachery-cloud")
    assert manifest not in uploads and report.left_out == [configured["recording_uri"]]

    report = publish_figure(url, to="kachery-cloud", include_recording=True)
    assert manifest in uploads and report.left_out == []
    chunks = named_hashes(uploads[manifest])
    assert chunks and chunks <= set(uploads)
    # The figure's own public runner is where figurl.org sends its live computations.
    assert parse_qs(urlsplit(report.url).query)["sh"] == ["https://sortings.lab.example.org"]


def test_sh_is_the_public_url_of_the_runner_serving_the_figure_and_absent_without_one(
    configured, uploads, tmp_path, free_port
):
    public = "https://sortings.lab.example.org/sv"
    with remote_runner(tmp_path / "b", host="127.0.0.1", args=("--no-compute", "--public-url", public)) as b:
        url = sv.publish(figure_url_at(configured["url"], b.url), to="kachery-cloud")
    assert parse_qs(urlsplit(url).query)["sh"] == [public]

    nobody = f"http://127.0.0.1:{free_port()}"
    with pytest.warns(UserWarning, match="no sh=: live computations .* unavailable"):
        url = sv.publish(figure_url_at(configured["url"], nobody), to="kachery-cloud")
    assert "sh" not in parse_qs(urlsplit(url).query)
    with pytest.warns(UserWarning, match="browsers block its requests to http://lab.example.org:8931"):
        sv.publish(configured["url"], to="kachery-cloud", service_url="http://lab.example.org:8931")


def test_the_real_client_stores_every_file_where_kachery_store_file_dir_says(configured, tmp_path, monkeypatch):
    # kachery-cloud's own store_file, told by its configuration to copy files to a folder (no network, no keys).
    monkeypatch.delenv("KACHERY_CLOUD_CLIENT_ID")
    monkeypatch.delenv("KACHERY_CLOUD_PRIVATE_KEY")
    folder = tmp_path / "bucket"
    monkeypatch.setenv("KACHERY_STORE_FILE_DIR", str(folder))
    report = publish_figure(configured["url"], to="kachery-cloud", service_url="https://sortings.lab.example.org")
    stored = {p.name: p for p in (folder / "sha1").iterdir()}
    assert len(stored) == report.files > 5
    assert all(hashlib.sha1(p.read_bytes()).hexdigest() == name for name, p in stored.items())
    document = parse_qs(urlsplit(report.url).query)["d"][0].removeprefix("sha1://")
    assert document in stored and configured["sorting_uri"].removeprefix("sha1://") in stored


def test_without_a_client_the_error_names_what_to_set_and_nothing_prompts_or_uploads(
    no_client,
    machine_a,  # noqa: F811
    monkeypatch,
):
    monkeypatch.setenv("SORTINGVIEW_VIEW_URL", SORTINGVIEW_VIEW)
    # The real client: without our check it would go on to sign a request (and kachery 2.x would prompt).
    with pytest.raises(PublishError, match=r"No kachery-cloud client is configured.*kachery-cloud-init"):
        sv.publish(machine_a["url"], to="kachery-cloud", service_url="https://x.example.org")
    monkeypatch.setenv("KACHERY_CLOUD_CLIENT_ID", "ab" * 32)
    with pytest.raises(PublishError, match="KACHERY_CLOUD_PRIVATE_KEY is not"):
        sv.publish(machine_a["url"], to="kachery-cloud", service_url="https://x.example.org")
    monkeypatch.setenv("KACHERY_CLOUD_PRIVATE_KEY", "cd" * 32)
    monkeypatch.setenv("KACHERY_STORE_FILE_PREFIX", "https://bucket.example.org")
    with pytest.raises(PublishError, match="unset it"):
        sv.publish(machine_a["url"], to="kachery-cloud", service_url="https://x.example.org")


def test_without_sortingviews_view_the_error_says_to_set_it(configured, uploads, monkeypatch):
    monkeypatch.delenv("SORTINGVIEW_VIEW_URL")
    with pytest.raises(PublishError, match=f"SORTINGVIEW_VIEW_URL={re.escape(SORTINGVIEW_VIEW)}"):
        sv.publish(configured["url"], to="kachery-cloud")
    monkeypatch.setenv("SORTINGVIEW_VIEW_URL", "http://localhost:9000/viewer")
    with pytest.raises(PublishError, match="on this machine, where figurl.org cannot load it"):
        sv.publish(configured["url"], to="kachery-cloud")
    assert uploads == {}


def test_a_file_whose_bytes_differ_from_its_name_stops_the_publish(configured, uploads, tmp_path, monkeypatch):
    monkeypatch.setenv("SORTINGVIEW_STORE_DIR", str(tmp_path / "store"))
    store = LocalStore(tmp_path / "store")
    url = sv.Figure(sv.views.UnitsTable(columns=[], rows=[])).url(label="t", address="https://lab.example.org")
    document = parse_qs(urlsplit(url).query)["d"][0]
    store.path(document).chmod(0o644)
    store.path(document).write_bytes(b'{"type": "changed"}')
    with pytest.raises(PublishError, match="does not hold the bytes its name says"):
        sv.publish(url, to="kachery-cloud")


def test_the_command_and_the_plot_kwarg_publish_to_kachery_cloud(configured, uploads, capsys, monkeypatch, free_port):
    import spikeinterface.full as si

    assert sv_runner(["publish", configured["url"], "--to", "kachery-cloud", "--service-url", "https://a.org"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("https://figurl.org/f?v=") and "&sh=https://a.org" in out
    assert "to kachery-cloud, which uploads those it lacks" in err

    monkeypatch.delenv("SORTINGVIEW_VIEW_URL")
    assert sv_runner(["publish", configured["url"], "--to", "kachery-cloud"]) == 2
    assert "SORTINGVIEW_VIEW_URL" in capsys.readouterr().err
    monkeypatch.setenv("SORTINGVIEW_VIEW_URL", SORTINGVIEW_VIEW)

    monkeypatch.setenv("SORTINGVIEW_ADDRESS", f"http://127.0.0.1:{free_port()}")  # no runner there: no sh=
    _, sorting = si.generate_ground_truth_recording(durations=[3.0], num_channels=4, num_units=3, seed=2)
    with pytest.warns(UserWarning, match="no sh="):
        widget = si.plot_rasters(sorting, backend="sortingview", publish_to="kachery-cloud", display=False)
    assert widget.url.startswith(f"https://figurl.org/f?v={SORTINGVIEW_VIEW}&d=sha1://")
    assert parse_qs(urlsplit(widget.url).query)["d"][0].removeprefix("sha1://") in uploads
    monkeypatch.setenv("SORTINGVIEW_PUBLISH_TO", "kachery-cloud")  # the configuration's default, for every plot
    with pytest.warns(UserWarning, match="no sh="):
        widget = si.plot_rasters(sorting, backend="sortingview", display=False)
    assert widget.url.startswith("https://figurl.org/f?")


def test_a_kachery_cloud_version_whose_behaviour_was_not_read_is_refused(configured, uploads, monkeypatch):
    from spikeinterface_sortingview.sharing import figurl

    monkeypatch.setattr(figurl.metadata, "version", lambda name: "2.0.3")
    with pytest.raises(PublishError, match=r"kachery-cloud 2.0.3 is installed.*kachery-cloud>=0.4,<0.5"):
        sv.publish(configured["url"], to="kachery-cloud", service_url="https://a.org")
    assert uploads == {}
