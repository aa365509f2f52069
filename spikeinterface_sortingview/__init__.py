"""View, curate and share SpikeInterface sorting results in the browser.

Importing this package registers the ``sortingview`` backend of SpikeInterface's widgets::

    import spikeinterface.full as si
    import spikeinterface_sortingview

    w = si.plot_sorting_summary(analyzer, backend="sortingview")
    print(w.url)
"""

__version__ = "0.1.0"

from . import views
from .config import Config, ConfigError, get_config
from .figure import Figure, figure_url
from .store import LocalStore, default_store
from .widgets import register, unregister

register()

__all__ = [
    "Config",
    "ConfigError",
    "Figure",
    "LocalStore",
    "default_store",
    "figure_url",
    "get_config",
    "register",
    "unregister",
    "views",
]
