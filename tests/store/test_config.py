from pathlib import Path

import pytest

from spikeinterface_sortingview import ConfigError, get_config


def test_defaults_point_to_the_local_runner(tmp_path):
    config = get_config()
    assert config.address == "http://127.0.0.1:8931"
    assert config.view_url == "http://127.0.0.1:8931/viewer"
    assert config.store_dir == tmp_path / "store"  # from the test's SORTINGVIEW_STORE_DIR


def test_config_file_then_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("SORTINGVIEW_STORE_DIR")
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "config.yaml").write_text("store_dir: /data/sv\naddress: http://127.0.0.1:9000/\n")
    config = get_config()
    assert config.store_dir == Path("/data/sv") and config.address == "http://127.0.0.1:9000"
    assert config.view_url == "http://127.0.0.1:9000/viewer"
    monkeypatch.setenv("SORTINGVIEW_ADDRESS", "http://127.0.0.1:9100")
    assert get_config().address == "http://127.0.0.1:9100"


def test_bad_config_file_names_the_problem(tmp_path, monkeypatch):
    path = tmp_path / "c.yaml"
    monkeypatch.setenv("SORTINGVIEW_CONFIG", str(path))
    path.write_text("stor_dir: /x\n")
    with pytest.raises(ConfigError, match=r"unknown keys \['stor_dir'\]"):
        get_config()
    path.write_text("address: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        get_config()
    path.write_text("address: ftp://host\n")
    with pytest.raises(ConfigError, match="must start with http"):
        get_config()
