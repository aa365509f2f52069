"""View, curate and share SpikeInterface sorting results in the browser.

Importing this package registers the ``sortingview`` backend of SpikeInterface's widgets::

    import spikeinterface.full as si
    import spikeinterface_sortingview

    w = si.plot_sorting_summary(analyzer, backend="sortingview")
    print(w.url)

The registration is the import's one side effect and is light: the widget builders load on the
first sortingview plot. The names below (``load_recording``, ``Figure``, ...) load when first used,
so importing a submodule such as the store or the configuration loads neither the widgets nor the
extractors.
"""

import importlib

from ._version import __version__ as __version__
from .backend import register, unregister

register()

# Public names and the module each comes from, imported on first use (PEP 562 module __getattr__).
_PUBLIC_NAMES = {
    "Config": "spikeinterface_sortingview.config",
    "ConfigError": "spikeinterface_sortingview.config",
    "get_config": "spikeinterface_sortingview.config",
    "get_curation": "spikeinterface_sortingview.curation",
    "Figure": "spikeinterface_sortingview.figure",
    "figure_url": "spikeinterface_sortingview.figure",
    "LocalStore": "spikeinterface_sortingview.store",
    "default_store": "spikeinterface_sortingview.store",
    "PublishError": "spikeinterface_sortingview.sharing",
    "export_figure": "spikeinterface_sortingview.sharing",
    "publish": "spikeinterface_sortingview.sharing",
    "copy_recording_extractor": "extractors.share",
    "copy_sorting_extractor": "extractors.share",
    "load_recording": "extractors.share",
    "load_sorting": "extractors.share",
    "share_recording": "extractors.share",
    "share_sorting": "extractors.share",
    "Workspace": "spikeinterface_sortingview.workspace",
    "WorkspaceError": "spikeinterface_sortingview.workspace",
    "create_workspace": "spikeinterface_sortingview.workspace",
    "load_workspace": "spikeinterface_sortingview.workspace",
    "plot_ground_truth_comparison": "spikeinterface_sortingview.comparisons",
    "plot_multi_sorting_agreement": "spikeinterface_sortingview.comparisons",
    "plot_study": "spikeinterface_sortingview.comparisons",
    "SortingJob": "spikeinterface_sortingview.sorting_jobs",
    "SortingJobFailed": "spikeinterface_sortingview.sorting_jobs",
    "batch_jobs": "spikeinterface_sortingview.sorting_jobs",
    "run_sorter": "spikeinterface_sortingview.sorting_jobs",
    "submit_batch": "spikeinterface_sortingview.sorting_jobs",
    "submit_sorting_job": "spikeinterface_sortingview.sorting_jobs",
    "wait_for_jobs": "spikeinterface_sortingview.sorting_jobs",
}
_SUBMODULES = ("backend", "config", "curation", "figure", "sharing", "store", "views", "widgets", "workspace")


def __getattr__(name: str) -> object:
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _PUBLIC_NAMES:
        return getattr(importlib.import_module(_PUBLIC_NAMES[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_PUBLIC_NAMES, *_SUBMODULES})


__all__ = ["curation", "register", "unregister", "views", *_PUBLIC_NAMES]
