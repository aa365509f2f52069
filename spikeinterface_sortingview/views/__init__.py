"""The figure model: view classes that write sortingview's figure JSON (no I/O here)."""

from .base import Layout, LayoutItem, View
from .correlograms import AutocorrelogramItem, Autocorrelograms, CrossCorrelogramItem, CrossCorrelograms
from .curation import DEFAULT_LABEL_CHOICES, SortingCuration, SortingCuration2, SortingSelection
from .documents import Image, Markdown, PlotlyFigure, TiledImage, TiledImageLayer, UnitImages, UnitImagesItem
from .encoding import (
    ALLOWED_DTYPES,
    FigureDataError,
    canonical_json,
    decode_ndarray,
    encode_ndarray,
    from_json_value,
)
from .figure_document import FigureFiles, build_figure_files
from .layouts import Box, MountainItem, MountainLayout, Splitter, TabLayout, TabLayoutItem
from .probe import AverageWaveformItem, AverageWaveforms, ElectrodeGeometry, Summary, UnitLocations, UnitLocationsItem
from .spikes import (
    RasterPlot,
    RasterPlotItem,
    SpikeAmplitudes,
    SpikeAmplitudesItem,
    SpikeLocations,
    SpikeLocationsItem,
)
from .splits import FeatureView, MergeSuggestions, SplittableSpikeAmplitudes
from .tables import (
    ConfusionMatrix,
    MatchingUnitEventCount,
    UnitEventCount,
    UnitMetricsGraph,
    UnitMetricsGraphMetric,
    UnitMetricsGraphUnit,
    UnitSimilarityMatrix,
    UnitSimilarityScore,
    UnitsTable,
    UnitsTableColumn,
    UnitsTableRow,
)
from .timeseries import EphysTraces, PositionPlot, TimeseriesGraph

__all__ = [
    "FeatureView",
    "MergeSuggestions",
    "SplittableSpikeAmplitudes",
    "ALLOWED_DTYPES",
    "AutocorrelogramItem",
    "Autocorrelograms",
    "AverageWaveformItem",
    "AverageWaveforms",
    "Box",
    "ConfusionMatrix",
    "CrossCorrelogramItem",
    "CrossCorrelograms",
    "DEFAULT_LABEL_CHOICES",
    "ElectrodeGeometry",
    "EphysTraces",
    "FigureDataError",
    "FigureFiles",
    "Image",
    "Layout",
    "LayoutItem",
    "Markdown",
    "MatchingUnitEventCount",
    "MountainItem",
    "MountainLayout",
    "PlotlyFigure",
    "PositionPlot",
    "RasterPlot",
    "RasterPlotItem",
    "SortingCuration",
    "SortingCuration2",
    "SortingSelection",
    "SpikeAmplitudes",
    "SpikeAmplitudesItem",
    "SpikeLocations",
    "SpikeLocationsItem",
    "Splitter",
    "Summary",
    "TabLayout",
    "TabLayoutItem",
    "TiledImage",
    "TiledImageLayer",
    "TimeseriesGraph",
    "UnitEventCount",
    "UnitImages",
    "UnitImagesItem",
    "UnitLocations",
    "UnitLocationsItem",
    "UnitMetricsGraph",
    "UnitMetricsGraphMetric",
    "UnitMetricsGraphUnit",
    "UnitSimilarityMatrix",
    "UnitSimilarityScore",
    "UnitsTable",
    "UnitsTableColumn",
    "UnitsTableRow",
    "View",
    "build_figure_files",
    "canonical_json",
    "decode_ndarray",
    "encode_ndarray",
    "from_json_value",
]
