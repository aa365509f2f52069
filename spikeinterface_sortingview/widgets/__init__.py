"""The ``sortingview`` widget backend: one builder per SpikeInterface widget, and how a built view is published.

``spikeinterface_sortingview.backend`` registers the backend and names, for each widget class, the builder
below that turns its ``data_plot`` into views.
"""

from .comparison import build_agreement_matrix_view, build_confusion_matrix_view
from .correlograms import build_autocorrelograms_view, build_crosscorrelograms_view
from .metrics import build_metrics_view
from .probe import build_probe_map_view, build_unit_locations_view, build_unit_templates_view
from .publish import publish_view
from .similarity import build_template_similarity_view
from .spikes import build_amplitudes_view, build_rasters_view, build_spike_locations_view
from .summaries import build_sorting_summary_view, build_unit_summary_view
from .traces import build_traces_view

__all__ = [
    "build_agreement_matrix_view",
    "build_amplitudes_view",
    "build_autocorrelograms_view",
    "build_confusion_matrix_view",
    "build_crosscorrelograms_view",
    "build_metrics_view",
    "build_probe_map_view",
    "build_rasters_view",
    "build_sorting_summary_view",
    "build_spike_locations_view",
    "build_template_similarity_view",
    "build_traces_view",
    "build_unit_locations_view",
    "build_unit_summary_view",
    "build_unit_templates_view",
    "publish_view",
]
