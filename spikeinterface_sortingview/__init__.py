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
from .config import Config, ConfigError, get_config
from .curation import get_curation
from .figure import Figure, figure_url
from .store import LocalStore, default_store
from .widgets import register, unregister

register()

__all__ = [
    "Config",
    "ConfigError",
    "Figure",
    "LocalStore",
    "curation",
    "copy_recording_extractor",
    "copy_sorting_extractor",
    "default_store",
    "figure_url",
    "get_config",
    "get_curation",
    "load_recording",
    "load_sorting",
    "register",
    "share_recording",
    "share_sorting",
    "unregister",
    "views",
]
