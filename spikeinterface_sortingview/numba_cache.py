"""SpikeInterface's compiled kernels kept on disk, so that a fresh process loads them instead of compiling them.

SpikeInterface declares its numba kernels with ``cache=False``: every new process compiles them again. A sorting
summary needs several of them, and compiling is most of a small summary's time: on two cores, 15 to 25 s for the
template similarity kernel (``parallel=True``) and about 17 s for the synchrony metric, in every runner worker,
every ``W.spikesortingview`` and every run of the demo. numba's own ``Dispatcher.enable_caching`` turns its file
cache on for a kernel already defined: the first process writes the machine code next to SpikeInterface's module
(in ``__pycache__``, or under ``NUMBA_CACHE_DIR`` when that folder cannot be written), and the next ones load it in
about a second. numba keys the cache by the kernel's source file, its signature and the CPU, so a changed
SpikeInterface or another machine compiles again.
"""

from __future__ import annotations

import importlib

# The modules whose kernels a sorting summary runs (similarity, metrics, spike vector tools). Not correlograms: numba
# cannot cache its kernel (it reads global arrays) and warns so, and it compiles in about a second.
SPIKEINTERFACE_KERNEL_MODULES = (
    "spikeinterface.core.sorting_tools",
    "spikeinterface.postprocessing.template_similarity",
    "spikeinterface.metrics.quality.misc_metrics",
)

_cached: set[str] = set()


def cache_spikeinterface_kernels() -> list[str]:
    """Turn on numba's file cache for the kernels of ``SPIKEINTERFACE_KERNEL_MODULES``; their names.

    Calling it again changes nothing. Without numba, or with a SpikeInterface that lacks a module, those
    kernels are left as they are.
    """
    try:
        from numba.core.dispatcher import Dispatcher
    except ImportError:
        return []
    for module_name in SPIKEINTERFACE_KERNEL_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        for name, value in vars(module).items():
            full_name = f"{module_name}.{name}"
            if isinstance(value, Dispatcher) and full_name not in _cached:
                value.enable_caching()
                _cached.add(full_name)
    return sorted(_cached)
