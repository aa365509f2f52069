"""Builder for plot_traces: traces are served live by the runner, which this version does not have yet."""

from __future__ import annotations

TRACES_NEED_RUNNER = (
    "plot_traces(backend='sortingview') shows raw traces read live from `sv-runner` with compute, "
    "which this version of spikeinterface-sortingview does not include yet. "
    "Use plot_traces(recording, backend='matplotlib') or backend='ipywidgets' meanwhile."
)


def build_traces_view(data_plot: dict):
    print(TRACES_NEED_RUNNER)
    raise NotImplementedError(TRACES_NEED_RUNNER)
