"""One place for runner credentials: ``remotes:`` in the config file, ``SORTINGVIEW_TOKEN`` for one runner."""

from __future__ import annotations

import pytest

from spikeinterface_sortingview.config import ConfigError, get_config, runner_token


@pytest.fixture
def config_file(tmp_path, monkeypatch):
    path = tmp_path / "config.yaml"
    monkeypatch.setenv("SORTINGVIEW_CONFIG", str(path))
    monkeypatch.delenv("SORTINGVIEW_TOKEN", raising=False)
    monkeypatch.delenv("SORTINGVIEW_PUBLISH_TO", raising=False)
    return path


def test_a_runner_gets_the_token_of_its_entry_whatever_way_its_url_is_written(config_file, monkeypatch):
    config_file.write_text(
        "remotes:\n"
        "  https://Lab.example.org: lab-token\n"
        "  https://lab.example.org/sv/: proxied-token\n"
        "  http://10.0.0.5:8931: node-token\n"
    )
    assert runner_token("https://lab.example.org:443/sha1/abc") == (
        "lab-token",
        f"remotes: https://lab.example.org:443 in {config_file}",
    )
    assert runner_token("https://lab.example.org/sv/sha1/abc")[0] == "proxied-token"  # the longest prefix
    assert runner_token("https://lab.example.org/svx")[0] == "lab-token"  # a path prefix ends at a slash
    assert runner_token("http://10.0.0.5:8931/")[0] == "node-token"
    assert runner_token("http://10.0.0.5:8932") == (None, "")
    monkeypatch.setenv("SORTINGVIEW_TOKEN", "env-token")
    assert runner_token("http://10.0.0.5:8932") == ("env-token", "SORTINGVIEW_TOKEN")
    assert runner_token("http://10.0.0.5:8931")[0] == "node-token"  # the config's entry wins for its runner


@pytest.mark.parametrize(
    "text, problem",
    [
        ("remotes: [a, b]\n", "remotes must map runner URLs"),
        ("remotes:\n  lab.example.org: t\n", "remotes must map runner URLs"),
        ("remotes:\n  http://lab: ''\n", "remotes must map runner URLs"),
        ("publish_to: lab.example.org\n", "publish_to 'lab.example.org' must be a runner URL"),
        ("publish_to: kachery\n", "must be a runner URL starting with http:// or https://, or kachery-cloud"),
    ],
)
def test_bad_credentials_are_refused_naming_the_key(config_file, text, problem):
    config_file.write_text(text)
    with pytest.raises(ConfigError, match=problem):
        get_config()


def test_publish_to_comes_from_the_file_or_the_environment(config_file, monkeypatch):
    config_file.write_text("publish_to: https://lab.example.org/sv/\n")
    assert get_config().publish_to == "https://lab.example.org/sv"
    monkeypatch.setenv("SORTINGVIEW_PUBLISH_TO", "http://127.0.0.1:9000")
    assert get_config().publish_to == "http://127.0.0.1:9000"
    config_file.write_text("publish_to: kachery-cloud\n")  # figurl.org, through kachery-cloud
    monkeypatch.delenv("SORTINGVIEW_PUBLISH_TO")
    assert get_config().publish_to == "kachery-cloud"
