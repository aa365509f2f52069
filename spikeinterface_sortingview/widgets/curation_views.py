"""The curation summary's live views: the feature view and merge suggestions, which the runner computes from the recording."""

from __future__ import annotations

import numpy as np

import extractors
from extractors.pca_model import share_analyzer_pca_model
from extractors.recording_writer import NotInPlaceError

from .. import views

# A recording that is neither binary files nor a chain over them is copied into the store only up to this
# size (the size above which share_recording shows a progress bar): a summary of a long recording must not
# silently copy gigabytes. Above it, the page says how to share it.
COPY_RECORDING_MAX_BYTES = 256 * 1024**2


def recording_for_runner(analyzer) -> tuple[str | None, str]:
    """Share the analyzer's recording for the runner: ``(uri, "")``, or ``(None, why not)``.

    The recording is registered in place when it is binary files, shared as its chain of
    SpikeInterface steps over such files, or copied when its traces take at most 256 MB.
    """
    if not (analyzer.has_recording() or analyzer.has_temporary_recording()):
        return None, (
            "the analyzer has no recording (loaded without it). Reopen it with its recording, or attach one with "
            "`analyzer.set_temporary_recording(recording)`, and make the figure again."
        )
    recording = analyzer.recording
    try:
        return extractors.share_recording(recording, in_place=True), ""
    except NotInPlaceError:
        pass
    num_samples = sum(recording.get_num_samples(s) for s in range(recording.get_num_segments()))
    size = num_samples * recording.get_num_channels() * np.dtype(recording.get_dtype()).itemsize
    if size <= COPY_RECORDING_MAX_BYTES:
        return extractors.share_recording(recording, in_place=False), ""
    return None, (
        f"the analyzer's recording ({type(recording).__name__}, {size / 1024**3:.1f} GB) is not read from binary "
        "files, and the figure does not copy more than 256 MB into the store. Save it once with "
        "`recording = analyzer.recording.save(folder=..., format='binary')`, then "
        "`analyzer.set_temporary_recording(recording)`, and make the figure again."
    )


def live_curation_views(analyzer, sorting_uri: str) -> tuple[str | None, views.View]:
    """``(recording_uri, view)``: the feature view and the merge suggestions in tabs, or a note saying what is missing."""
    recording_uri, missing = recording_for_runner(analyzer)
    if recording_uri is None:
        note = f"**Feature view and merge suggestions** are computed by the runner from the recording: {missing}"
        return None, views.Markdown(note)
    feature_view = views.FeatureView(sorting_uri, recording_uri, pca_model_uri=share_analyzer_pca_model(analyzer))
    suggestions = views.MergeSuggestions(sorting_uri, recording_uri)
    # Tabs mount when first shown: the auto-merge (minutes at 300 units) runs only when the curator asks for it.
    tabs = views.TabLayout(
        [views.TabLayoutItem("Features", feature_view), views.TabLayoutItem("Merge suggestions", suggestions)]
    )
    return recording_uri, tabs
