import pytest

from runner.handler_config import (
    DEFAULT_NUM_WORKERS,
    HANDLER_GROUPS,
    HandlerConfigError,
    load_handler_config,
    parse_handler_config,
)


def test_defaults_cover_every_group():
    config = load_handler_config()
    assert set(config) == set(HANDLER_GROUPS)
    assert all(group.num_workers == DEFAULT_NUM_WORKERS and group.type == "parallel" for group in config.values())


def test_old_job_handlers_file_is_read(tmp_path, monkeypatch):
    path = tmp_path / "handlers.yaml"
    path.write_text(
        "job_handlers:\n  correlograms: {type: parallel, params: {num_workers: 2}}\n  timeseries: {type: local}\n"
    )
    monkeypatch.setenv("SORTINGVIEW_JOB_HANDLER_CONFIG", str(path))
    config = load_handler_config()
    assert config["correlograms"].num_workers == 2
    assert (config["timeseries"].type, config["timeseries"].num_workers) == ("local", 1)
    assert config["misc"].num_workers == DEFAULT_NUM_WORKERS


@pytest.mark.parametrize(
    ("content", "named"),
    [
        ({"job_handler": {}}, "job_handlers"),
        ({"job_handlers": {"correlogram": {}}}, "job_handlers.correlogram"),
        ({"job_handlers": {"misc": {"typ": "parallel"}}}, "job_handlers.misc.typ"),
        ({"job_handlers": {"misc": {"type": "serial"}}}, "job_handlers.misc.type"),
        ({"job_handlers": {"misc": {"params": {"workers": 2}}}}, "job_handlers.misc.params.workers"),
        ({"job_handlers": {"misc": {"params": {"num_workers": 0}}}}, "job_handlers.misc.params.num_workers"),
        ({"job_handlers": {"misc": {"params": {"num_workers": "4"}}}}, "job_handlers.misc.params.num_workers"),
    ],
)
def test_bad_config_names_the_offending_key(content, named):
    with pytest.raises(HandlerConfigError, match=named.replace(".", r"\.")):
        parse_handler_config(content)


def test_unreadable_or_invalid_file(tmp_path):
    with pytest.raises(HandlerConfigError, match="cannot read"):
        load_handler_config(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("job_handlers: [\n")
    with pytest.raises(HandlerConfigError, match="not valid YAML"):
        load_handler_config(bad)
