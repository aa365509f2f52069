"""SpikeInterface's kernels compiled once, then loaded from numba's file cache by the next process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# One of the kernels a summary's metrics run, called as SpikeInterface calls it; prints numba's cache counts.
CALL_KERNEL = """
import json
import numpy as np
from spikeinterface.metrics.quality import misc_metrics
from spikeinterface_sortingview.numba_cache import cache_spikeinterface_kernels

names = cache_spikeinterface_kernels()
kernel = misc_metrics._compute_nb_violations_numba
violations = kernel(np.array([0, 1, 5, 6, 20], dtype=np.int64), 2)
stats = kernel.stats
print(json.dumps({"names": names, "violations": int(violations),
                  "hits": sum(stats.cache_hits.values()), "misses": sum(stats.cache_misses.values())}))
"""


def run_kernel(cache_dir: Path) -> dict:
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache_dir), "PYTHONPATH": str(REPO)}
    result = subprocess.run([sys.executable, "-c", CALL_KERNEL], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no numba warning that a kernel cannot be cached
    return json.loads(result.stdout)


def test_the_first_process_compiles_a_kernel_and_the_next_loads_it(tmp_path):
    first = run_kernel(tmp_path / "numba")
    assert first["violations"] == 2 and first["misses"] == 1 and first["hits"] == 0
    assert list((tmp_path / "numba").rglob("misc_metrics._compute_nb_violations_numba-*.nbi"))
    second = run_kernel(tmp_path / "numba")
    assert second["violations"] == 2 and second["hits"] == 1 and second["misses"] == 0
    similarity = "spikeinterface.postprocessing.template_similarity._compute_similarity_matrix_numba"
    assert (
        similarity in first["names"]
        and "spikeinterface.metrics.quality.misc_metrics._get_synchrony_counts" in first["names"]
    )
