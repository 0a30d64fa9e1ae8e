"""Analytics for admins and leads: JSON (``/api/analytics/...``), CSV export, and the page ``/inbox/analytics``.

The page draws its charts with Chart.js (served from ``/static/chartjs``) from a ``<script type="application/json">``
block; tables beside the charts carry the same numbers.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from api.deps import SessionDep
from api.routes.auth import AnalyticsReader, PageAnalyticsReader, csrf_token
from api.templating import templates
from assistant.analytics import attribution, metrics
from assistant.jobs.models import Job

router = APIRouter(prefix="/api/analytics", tags=["analytics"])
pages = APIRouter(prefix="/inbox/analytics", include_in_schema=False)
Day = Annotated[date | None, Query(description="YYYY-MM-DD (UTC)")]


def period_query(from_: Annotated[date | None, Query(alias="from", description="First day, YYYY-MM-DD (UTC); default 30 days ago")] = None,
                 to: Annotated[date | None, Query(description="Last day, inclusive; default today")] = None,
                 baseline_from: Day = None, baseline_to: Day = None) -> tuple[metrics.Period, metrics.Period | None]:
    """The period and the baseline (default: the period of the same length just before)."""
    try:
        period = metrics.period_between(from_, to)
        baseline = metrics.period_between(baseline_from, baseline_to) if baseline_from else None
    except ValueError as error:
        raise HTTPException(status_code=422, detail=str(error))
    return period, baseline


Periods = Annotated[tuple[metrics.Period, metrics.Period | None], Depends(period_query)]


def filters_query(department: Annotated[str | None, Query(max_length=64)] = None,
                  country: Annotated[str | None, Query(max_length=64)] = None) -> metrics.Filters:
    return metrics.Filters(department=department or None, country=country or None)


FiltersDep = Annotated[metrics.Filters, Depends(filters_query)]


def _report(db_session, periods, filters) -> dict:
    period, baseline = periods
    return metrics.report(db_session=db_session, period=period, baseline=baseline, filters=filters)


@router.get("/report")
def analytics_report(db_session: SessionDep, _user: AnalyticsReader, periods: Periods, filters: FiltersDep) -> dict:
    """Every figure of the period and of the baseline, with the change of the headline figures."""
    return _report(db_session, periods, filters)


@router.get("/summary")
def analytics_summary(db_session: SessionDep, _user: AnalyticsReader, periods: Periods, filters: FiltersDep) -> dict:
    """The headline figures (containment_rate, escalation_rate, ... time_to_fill_days_p50) and their baseline."""
    return metrics.summary(_report(db_session, periods, filters))


@router.get("/attribution")
def analytics_attribution(db_session: SessionDep, _user: AnalyticsReader, periods: Periods) -> list[dict]:
    """Each journey with a holdout: treated vs holdout rate of its goal, difference with a 95% interval."""
    period, _ = periods
    return [asdict(e) for e in attribution.effects(db_session=db_session, start=period.start, end=period.end)]


def csv_rows(report: dict) -> list[list]:
    """Returns the report as CSV rows: figure, period value, baseline value."""
    rows = [["figure", "period", "baseline"]]
    for key, value in report["current"].items():
        if key == "funnel":
            for now, before in zip(value, report["baseline"]["funnel"]):
                rows.append([f"funnel.{now['stage']}.applications", now["applications"], before["applications"]])
                rows.append([f"funnel.{now['stage']}.time_in_stage_days_p50", now["time_in_stage_days_p50"],
                             before["time_in_stage_days_p50"]])
        elif key == "escalation_by_reason":
            for reason in sorted(set(value) | set(report["baseline"][key])):
                rows.append([f"escalation_by_reason.{reason}", value.get(reason, 0), report["baseline"][key].get(reason, 0)])
        else:
            rows.append([key, value, report["baseline"][key]])
    return rows


@router.get("/report.csv", response_class=Response)
def analytics_csv(db_session: SessionDep, _user: AnalyticsReader, periods: Periods, filters: FiltersDep) -> Response:
    """The same figures as CSV (figure, period, baseline)."""
    report = _report(db_session, periods, filters)
    out = io.StringIO()
    csv.writer(out).writerows(csv_rows(report))
    name = f"analytics-{report['period']['from'][:10]}-{report['period']['to'][:10]}.csv"
    return Response(out.getvalue(), media_type="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"'})


@pages.get("", response_class=HTMLResponse)
def analytics_page(request: Request, db_session: SessionDep, user: PageAnalyticsReader, periods: Periods, filters: FiltersDep):
    report = _report(db_session, periods, filters)
    period, baseline = periods
    baseline = baseline or period.before()
    effects = [asdict(e) for e in attribution.effects(db_session=db_session, start=period.start, end=period.end)]
    departments = sorted(set(db_session.scalars(select(Job.department).distinct())))
    countries = sorted(c for c in set(db_session.scalars(select(Job.country).distinct())) if c)
    query = str(request.query_params)
    return templates.TemplateResponse(request, "inbox/analytics.html", {
        "user": user, "csrf": csrf_token(request), "report": report, "effects": effects, "keys": metrics.SUMMARY_KEYS,
        "departments": departments, "countries": countries, "filters": report["filters"], "query": query,
        "min_per_arm": attribution.MIN_PER_ARM, "window_days": attribution.ATTRIBUTION_WINDOW_DAYS,
        "chart_data": {"current": report["current"], "baseline": report["baseline"]},
        "form": {"from": period.start.date(), "to": period.last_day, "baseline_from": baseline.start.date(),
                 "baseline_to": baseline.last_day},
    })
