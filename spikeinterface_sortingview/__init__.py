"""View, curate and share SpikeInterface sorting results in the browser.

Importing this package registers the ``sortingview`` backend of SpikeInterface's widgets::

    import spikeinterface.full as si
    import spikeinterface_sortingview

    w = si.plot_sorting_summary(analyzer, backend="sortingview")
    print(w.url)
"""

__version__ = "0.1.0"

# extractors reads through .store; import its submodule, not the package's names, so that
# importing either package first works (extractors imports .store before its own modules).
from extractors.share import (
    copy_recording_extractor,
    copy_sorting_extractor,
    load_recording,
    load_sorting,
    share_recording,
    share_sorting,
)

from . import curation, views
from .comparisons import plot_ground_truth_comparison, plot_multi_sorting_agreement, plot_study
from .config import Config, ConfigError, get_config
from .figure import Figure, figure_url
from .sorting_jobs import (
    SortingJob,
    SortingJobFailed,
    batch_jobs,
    run_sorter,
    submit_batch,
    submit_sorting_job,
    wait_for_jobs,
)
from .store import LocalStore, default_store
from .widgets import register, unregister

register()

__all__ = [
    "Config",
    "ConfigError",
    "Figure",
    "LocalStore",
    "SortingJob",
    "SortingJobFailed",
    "batch_jobs",
    "curation",
    "copy_recording_extractor",
    "copy_sorting_extractor",
    "default_store",
    "figure_url",
    "get_config",
    "load_recording",
    "load_sorting",
    "plot_ground_truth_comparison",
    "plot_multi_sorting_agreement",
    "plot_study",
    "register",
    "run_sorter",
    "share_recording",
    "share_sorting",
    "submit_batch",
    "submit_sorting_job",
    "unregister",
    "views",
    "wait_for_jobs",
]
