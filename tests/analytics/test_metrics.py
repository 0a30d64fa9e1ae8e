"""Every analytics figure, computed on demo data generated with known counts, equals its true value."""

from __future__ import annotations

import pytest

from assistant.analytics import demo, metrics
from assistant.analytics.metrics import Filters


@pytest.fixture
def tracker_url(tmp_path):
    return f"sqlite:///{tmp_path / 'tracker.db'}"


@pytest.fixture
def loaded(db_session, tracker_url):
    return demo.load(db_session=db_session, tracker_store_url=tracker_url)


def _check(figures: metrics.Figures, truth: dict) -> None:
    for key in ("conversations", "contained", "abandoned", "escalated", "escalation_by_reason", "knowledge_helpful",
                "knowledge_not_helpful", "chat_ratings_skipped", "chat_rating", "nps", "first_reply_minutes_p50",
                "chat_rating_comments", "nps_comments"):
        assert getattr(figures, key) == truth[key], key
    for key in ("containment_rate", "escalation_rate", "reply_within_target_rate", "application_completion_rate",
                "offer_acceptance_rate", "time_to_fill_days_p50"):
        assert getattr(figures, key) == pytest.approx(truth[key]), key
    funnel = {stage.stage: stage for stage in figures.funnel}
    assert {s: funnel[s].applications for s in truth["funnel"]} == truth["funnel"]
    assert {s: funnel[s].time_in_stage_days_p50 for s in truth["time_in_stage_days_p50"]} == pytest.approx(
        truth["time_in_stage_days_p50"])


def test_current_and_baseline_figures_equal_their_true_values(db_session, tracker_url, loaded):
    report = metrics.report(db_session=db_session, period=loaded.period, tracker_store_url=tracker_url)
    assert report["baseline_period"]["from"] == loaded.baseline.start.isoformat()
    for side, spec in (("current", demo.CURRENT), ("baseline", demo.BASELINE)):
        figures = metrics.Figures(**{k: v for k, v in report[side].items() if k != "funnel"},
                                  funnel=[metrics.FunnelStage(**s) for s in report[side]["funnel"]])
        _check(figures, demo.expected(spec))
    truth_now, truth_before = demo.expected(demo.CURRENT), demo.expected(demo.BASELINE)
    assert report["change"]["containment_rate"] == pytest.approx(truth_now["containment_rate"] - truth_before["containment_rate"], abs=1e-4)


def test_department_filter_narrows_the_job_figures_only(db_session, tracker_url, loaded):
    figures = metrics.figures(db_session=db_session, period=loaded.period, filters=Filters(department="Care"),
                              tracker_store_url=tracker_url)
    truth = demo.expected(demo.CURRENT, department="Care")
    for key in ("application_completion_rate", "offer_acceptance_rate", "time_to_fill_days_p50"):
        assert getattr(figures, key) == pytest.approx(truth[key]), key
    assert figures.conversations == truth["conversations"]  # chat figures are not tied to a job
    by_country = metrics.figures(db_session=db_session, period=loaded.period, filters=Filters(country="United Kingdom"),
                                 tracker_store_url=tracker_url)
    assert by_country.offer_acceptance_rate == figures.offer_acceptance_rate


def test_a_period_without_data_has_no_rates_rather_than_zero(db_session, tracker_url):
    figures = metrics.figures(db_session=db_session, period=metrics.last_days(7), tracker_store_url=tracker_url)
    assert figures.conversations == 0 and figures.containment_rate is None and figures.nps is None
    with pytest.raises(ValueError, match="to: must be after from"):
        metrics.Period(loaded_end := metrics.utcnow(), loaded_end)
