"""Register the ``sortingview`` backend in SpikeInterface's widgets, and undo it.

SpikeInterface has no registry for widget backends: a backend is a key of
``default_backend_kwargs`` / ``backend_kwargs_desc`` plus a ``plot_<backend>``
method on each widget class. Importing the package adds ours, replacing the
deprecated upstream stubs (which warn and route through figpack).

Registering imports SpikeInterface's widget classes only: our builders
(``spikeinterface_sortingview.widgets``, which import the figure and the extractors)
load on the first sortingview plot, so that importing the store or the configuration
stays light.
"""

from __future__ import annotations

from spikeinterface.widgets import base
from spikeinterface.widgets.amplitudes import AmplitudesWidget
from spikeinterface.widgets.autocorrelograms import AutoCorrelogramsWidget
from spikeinterface.widgets.comparison import AgreementMatrixWidget, ConfusionMatrixWidget
from spikeinterface.widgets.crosscorrelograms import CrossCorrelogramsWidget
from spikeinterface.widgets.probe_map import ProbeMapWidget
from spikeinterface.widgets.quality_metrics import QualityMetricsWidget
from spikeinterface.widgets.rasters import RasterWidget
from spikeinterface.widgets.sorting_summary import SortingSummaryWidget
from spikeinterface.widgets.spike_locations import SpikeLocationsWidget
from spikeinterface.widgets.template_metrics import TemplateMetricsWidget
from spikeinterface.widgets.template_similarity import TemplateSimilarityWidget
from spikeinterface.widgets.traces import TracesWidget
from spikeinterface.widgets.unit_locations import UnitLocationsWidget
from spikeinterface.widgets.unit_summary import UnitSummaryWidget
from spikeinterface.widgets.unit_templates import UnitTemplatesWidget

BACKEND = "sortingview"
BACKEND_KWARGS = {"generate_url": True, "display": True, "figlabel": None, "height": None, "publish_to": None}
BACKEND_KWARGS_DESC = {
    "generate_url": "If True, the figure is stored and its figURL is set as widget.url (and printed), default: True",
    "display": "If True, the figURL is printed (and shown in a notebook), default: True",
    "figlabel": "The figure label (browser title), default: None",
    "height": "The height of the figure in a notebook, default: None",
    "publish_to": "A runner URL to publish the figure to (widget.url is then its figURL there), or 'kachery-cloud' "
    "(widget.url is then a figurl.org URL), default: publish_to of the configuration (SORTINGVIEW_PUBLISH_TO), "
    "else None",
}

# Each widget class and the name of the function of spikeinterface_sortingview.widgets that turns its data_plot
# into a view (a name, not the function: the widgets package is imported on the first plot, see plot_sortingview).
VIEW_BUILDERS: dict[type, str] = {
    AmplitudesWidget: "build_amplitudes_view",
    AutoCorrelogramsWidget: "build_autocorrelograms_view",
    CrossCorrelogramsWidget: "build_crosscorrelograms_view",
    QualityMetricsWidget: "build_metrics_view",
    TemplateMetricsWidget: "build_metrics_view",
    SortingSummaryWidget: "build_sorting_summary_view",
    SpikeLocationsWidget: "build_spike_locations_view",
    TemplateSimilarityWidget: "build_template_similarity_view",
    UnitLocationsWidget: "build_unit_locations_view",
    UnitTemplatesWidget: "build_unit_templates_view",
    TracesWidget: "build_traces_view",
    RasterWidget: "build_rasters_view",
    ProbeMapWidget: "build_probe_map_view",
    UnitSummaryWidget: "build_unit_summary_view",
    ConfusionMatrixWidget: "build_confusion_matrix_view",
    AgreementMatrixWidget: "build_agreement_matrix_view",
}

_MISSING = object()
# What registration replaced, to put back on unregister(): {class: previous plot_sortingview or _MISSING}
_replaced_methods: dict[type, object] = {}
_replaced_kwargs: dict[str, object] = {}


def plot_sortingview(widget, data_plot: dict, **backend_kwargs) -> None:
    """The ``plot_sortingview`` method set on every covered widget class: build the view, store and show it."""
    # Imported here, on the first plot, not when the package is imported: the builders import the figure and
    # the extractors, which import the store, whose import runs this package's __init__ (which registers).
    from . import widgets

    builder_name = next(VIEW_BUILDERS[cls] for cls in type(widget).__mro__ if cls in VIEW_BUILDERS)
    view = getattr(widgets, builder_name)(data_plot)
    widgets.publish_view(widget, view, **backend_kwargs)


def is_registered() -> bool:
    """Whether every covered widget class plots ``backend="sortingview"`` with this package."""
    return all(cls.__dict__.get(f"plot_{BACKEND}") is plot_sortingview for cls in VIEW_BUILDERS)


def register() -> None:
    """Make ``backend="sortingview"`` use this package. Calling it again changes nothing."""
    if is_registered():
        return
    for table, value in (
        (base.default_backend_kwargs, BACKEND_KWARGS),
        (base.backend_kwargs_desc, BACKEND_KWARGS_DESC),
    ):
        _replaced_kwargs.setdefault(id(table), table.get(BACKEND, _MISSING))
        table[BACKEND] = dict(value)
    for cls in VIEW_BUILDERS:
        _replaced_methods.setdefault(cls, cls.__dict__.get(f"plot_{BACKEND}", _MISSING))
        setattr(cls, f"plot_{BACKEND}", plot_sortingview)


def unregister() -> None:
    """Put back what ``register()`` replaced (SpikeInterface's own entries, if it had any)."""
    for cls, previous in _replaced_methods.items():
        if previous is _MISSING:
            if f"plot_{BACKEND}" in cls.__dict__:
                delattr(cls, f"plot_{BACKEND}")
        else:
            setattr(cls, f"plot_{BACKEND}", previous)
    _replaced_methods.clear()
    for table in (base.default_backend_kwargs, base.backend_kwargs_desc):
        previous = _replaced_kwargs.pop(id(table), _MISSING)
        if previous is _MISSING:
            table.pop(BACKEND, None)
        else:
            table[BACKEND] = previous
