"""Job kwargs for sharing: SpikeInterface's, with defaults suited to hashing and writing files."""

import os

import pytest
from spikeinterface.core import get_global_job_kwargs, set_global_job_kwargs

from extractors.jobs import resolve_job_kwargs


@pytest.fixture
def global_job_kwargs():
    saved = get_global_job_kwargs()
    yield
    set_global_job_kwargs(**saved)


def test_sharing_uses_a_thread_per_core_unless_told(global_job_kwargs):
    resolved = resolve_job_kwargs(None, {})
    assert resolved["pool_engine"] == "thread"
    assert resolved["n_jobs"] == os.cpu_count()
    assert resolved["progress_bar"] is None  # decided by the size of the recording


def test_the_callers_choice_wins(global_job_kwargs):
    assert resolve_job_kwargs(None, {"n_jobs": 1})["n_jobs"] == 1
    assert resolve_job_kwargs(None, {"pool_engine": "process"})["n_jobs"] == 1  # SpikeInterface's default
    set_global_job_kwargs(n_jobs=1, pool_engine="thread")
    assert resolve_job_kwargs(None, {})["n_jobs"] == 1


def test_unknown_job_kwargs_are_named():
    with pytest.raises(TypeError, match=r"\['n_job'\]"):
        resolve_job_kwargs(None, {"n_job": 2})
