"""Comparison figures opened in Chromium: the counts and scores shown are those SpikeInterface's comparisons give."""

from __future__ import annotations

import numpy as np
import pytest
import spikeinterface.full as si

import spikeinterface_sortingview as sv
from tests.browser.test_viewer_pages import open_figure
from tests.browser_support import runner_environment

pytestmark = pytest.mark.browser

DURATION = 6.0


def ground_truth(seed: int):
    _, gt = si.generate_ground_truth_recording(durations=[DURATION], num_channels=4, num_units=5, seed=seed)
    return gt.rename_units([0, 1, 2, 3, 4])


def imperfect(gt, keep: list[int], seed: int, every: int = 1):
    """A 'sorting' of ground truth: some of its units (every n-th spike), renamed 0.., and one stray unit."""
    rng = np.random.default_rng(seed)
    trains = {i: gt.get_unit_spike_train(u)[::every] for i, u in enumerate(keep)}
    trains[len(keep)] = np.sort(rng.integers(0, int(DURATION * gt.sampling_frequency), 40))
    return si.NumpySorting.from_unit_dict(trains, gt.sampling_frequency)


@pytest.fixture(scope="module")
def comparisons():
    gts = {"rec1": ground_truth(21), "rec2": ground_truth(22)}
    sortings = {
        ("sorterA", "rec1"): imperfect(gts["rec1"], [0, 1, 3], seed=1),
        ("sorterA", "rec2"): imperfect(gts["rec2"], [0, 1, 2, 3, 4], seed=2, every=2),
        ("sorterB", "rec1"): imperfect(gts["rec1"], [4, 2], seed=3),
        ("sorterB", "rec2"): imperfect(gts["rec2"], [1], seed=4),
    }
    return {key: si.compare_sorter_to_ground_truth(gts[key[1]], s) for key, s in sortings.items()}, sortings


@pytest.fixture(scope="module")
def urls(comparisons, runner_config, runner):
    pairs, sortings = comparisons
    with runner_environment(runner_config):
        cmp = pairs[("sorterA", "rec1")]
        multi = si.compare_multiple_sorters(
            [sortings[("sorterA", "rec1")], sortings[("sorterB", "rec1")], cmp.sorting1], name_list=["A", "B", "gt"]
        )
        return {
            "confusion": si.plot_confusion_matrix(cmp, backend="sortingview", display=False).url,
            "agreement": si.plot_agreement_matrix(cmp, backend="sortingview", display=False).url,
            "study": sv.plot_study(pairs),
            "multi": sv.plot_multi_sorting_agreement(multi),
            "multi_expected": multi,
        }


def texts(locator) -> list[str]:
    return [t.strip() for t in locator.all_inner_texts()]


def test_confusion_matrix_shows_spikeinterfaces_counts_with_fn_and_fp(page, urls, comparisons):
    matrix = comparisons[0][("sorterA", "rec1")].get_confusion_matrix()
    frame = open_figure(page, urls["confusion"])
    view = frame.locator('[data-view-type="ConfusionMatrix"]')
    view.wait_for()
    assert texts(view.locator('[data-testid="row-total"]')) == [str(v) for v in matrix["FN"].iloc[:-1]]
    assert texts(view.locator('[data-testid="column-total"]')) == [str(v) for v in matrix.loc["FP"].iloc[:-1]]
    first_row = view.locator("tbody tr").first
    assert first_row.locator("th").inner_text() == str(matrix.index[0])
    assert first_row.locator("td").first.inner_text() == str(matrix.iat[0, 0])
    assert page.errors.console == [] and page.errors.uncaught == []


def test_agreement_matrix_shows_the_ordered_scores_of_best_matches(page, urls, comparisons):
    comparison = comparisons[0][("sorterA", "rec1")]
    scores = comparison.get_ordered_agreement_scores()
    frame = open_figure(page, urls["agreement"])
    view = frame.locator('[data-view-type="AgreementMatrix"]')
    view.wait_for()
    assert texts(view.locator("tbody th")) == [str(u) for u in scores.index]
    best = comparison.best_match_12
    expected = [f"{scores.at[u, best[u]]:.2f}" for u in scores.index if best[u] != -1]
    assert texts(view.locator("td[data-best-match]")) == expected
    assert page.errors.console == [] and page.errors.uncaught == []


def test_study_table_shows_averaged_accuracy_and_opens_the_per_unit_view(page, urls, comparisons):
    pairs = comparisons[0]
    frame = open_figure(page, urls["study"])
    view = frame.locator('[data-view-type="StudyTable"]')
    view.wait_for()
    for (sorter, recording), cmp in pairs.items():
        cell = view.locator(f'td[data-sorter="{sorter}"][data-recording="{recording}"]')
        mean = cmp.get_performance(method="pooled_with_average")["accuracy"]
        assert cell.locator('[data-testid="mean-accuracy"]').inner_text() == f"{mean:.2f}"
        assert cell.locator('[data-testid="well-detected"]').inner_text() == str(cmp.count_well_detected_units(0.8))
    view.locator('td[data-sorter="sorterA"][data-recording="rec2"]').click()
    units = view.locator('[data-testid="study-cell-units"] [data-testid="unit-performance"]')
    units.wait_for()
    performance = pairs[("sorterA", "rec2")].get_performance()
    shown = texts(units.locator('td[data-testid="accuracy"]'))
    assert shown == [f"{a:.2f}" for a in performance["accuracy"]]
    page.screenshot(path=str(page_artifact("study-table.png")), full_page=True)
    assert page.errors.console == [] and page.errors.uncaught == []


def test_multi_sorting_agreement_counts_units_by_how_many_sortings_found_them(page, urls):
    multi = urls["multi_expected"]
    agreement = multi.get_agreement_sorting()
    numbers = agreement.get_property("agreement_number")
    members = agreement.get_property("unit_ids")
    frame = open_figure(page, urls["multi"])
    view = frame.locator('[data-view-type="MultiSortingAgreement"]')
    view.wait_for()
    for name in multi.name_list:
        row = view.locator(f'tr[data-sorting="{name}"]')
        for level in range(1, len(multi.name_list) + 1):
            expected = sum(1 for n, m in zip(numbers, members, strict=True) if n == level and name in m)
            assert row.locator(f'td[data-agreement-number="{level}"]').inner_text() == str(expected)
    assert view.locator('[data-testid="agreement-units"] tbody tr').count() == len(agreement.unit_ids)
    assert page.errors.console == [] and page.errors.uncaught == []


def page_artifact(name: str):
    from tests.browser_support import ARTIFACTS

    folder = ARTIFACTS / "browser"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name
