// Every leaf view type the viewer renders, keyed by the figure's `type` string.
import { agreementMatrixView } from './AgreementMatrix/AgreementMatrix'
import { autocorrelogramsView } from './Autocorrelograms/Autocorrelograms'
import { averageWaveformsView } from './AverageWaveforms/AverageWaveforms'
import { confusionMatrixView } from './ConfusionMatrix/ConfusionMatrix'
import { crossCorrelogramsView } from './CrossCorrelograms/CrossCorrelograms'
import { decodedLinearPositionDataView } from './DecodedLinearPositionData/DecodedLinearPositionData'
import { electrodeGeometryView } from './ElectrodeGeometry/ElectrodeGeometry'
import { ephysTracesView } from './EphysTraces/EphysTraces'
import { featureView } from './FeatureView/FeatureView'
import { groundTruthComparisonView } from './GroundTruthComparison/GroundTruthComparison'
import { imageView } from './Image/Image'
import { markdownView } from './Markdown/Markdown'
import { mergeSuggestionsView } from './MergeSuggestions/MergeSuggestions'
import { multiSortingAgreementView } from './MultiSortingAgreement/MultiSortingAgreement'
import { plotlyFigureView } from './PlotlyFigure/PlotlyFigure'
import { positionPlotView } from './PositionPlot/PositionPlot'
import { rasterPlotView } from './RasterPlot/RasterPlot'
import { sortingCuration2View, sortingCurationView } from './SortingCuration/CurationPanel'
import { sortingSelectionView } from './SortingSelection/SortingSelection'
import { spikeAmplitudesView } from './SpikeAmplitudes/SpikeAmplitudes'
import { spikeLocationsView } from './SpikeLocations/SpikeLocations'
import { studyTableView } from './StudyTable/StudyTable'
import { summaryView } from './Summary/Summary'
import { tiledImageView } from './TiledImage/TiledImage'
import { timeseriesGraphView } from './TimeseriesGraph/TimeseriesGraph'
import { trackAnimationView } from './TrackAnimation/TrackAnimation'
import { unitImagesView } from './UnitImages/UnitImages'
import { unitLocationsView } from './UnitLocations/UnitLocations'
import { unitMetricsGraphView } from './UnitMetricsGraph/UnitMetricsGraph'
import { unitSimilarityMatrixView } from './UnitSimilarityMatrix/UnitSimilarityMatrix'
import { unitsTableView } from './UnitsTable/UnitsTable'
import type { ViewDefinition } from './viewDefinition'

export const viewRegistry: ReadonlyMap<string, ViewDefinition> = new Map([
  ['Autocorrelograms', autocorrelogramsView],
  ['CrossCorrelograms', crossCorrelogramsView],
  ['AverageWaveforms', averageWaveformsView],
  ['RasterPlot', rasterPlotView],
  ['SpikeAmplitudes', spikeAmplitudesView],
  ['UnitsTable', unitsTableView],
  ['UnitSimilarityMatrix', unitSimilarityMatrixView],
  ['UnitLocations', unitLocationsView],
  ['SpikeLocations', spikeLocationsView],
  ['ElectrodeGeometry', electrodeGeometryView],
  ['UnitMetricsGraph', unitMetricsGraphView],
  ['ConfusionMatrix', confusionMatrixView],
  ['AgreementMatrix', agreementMatrixView],
  ['GroundTruthComparison', groundTruthComparisonView],
  ['StudyTable', studyTableView],
  ['MultiSortingAgreement', multiSortingAgreementView],
  ['Summary', summaryView],
  ['SortingSummary', summaryView],
  ['SortingCuration2', sortingCuration2View],
  ['SortingCuration', sortingCurationView],
  ['SortingSelection', sortingSelectionView],
  ['Markdown', markdownView],
  ['TimeseriesGraph', timeseriesGraphView],
  ['PositionPlot', positionPlotView],
  ['TiledImage', tiledImageView],
  ['Image', imageView],
  ['UnitImages', unitImagesView],
  ['PlotlyFigure', plotlyFigureView],
  ['EphysTraces', ephysTracesView],
  ['DecodedLinearPositionData', decodedLinearPositionDataView],
  ['TrackAnimation', trackAnimationView],
  ['FeatureView', featureView],
  ['MergeSuggestions', mergeSuggestionsView],
])

export const CURATION_VIEW_TYPES = new Set(['SortingCuration2', 'SortingCuration'])
