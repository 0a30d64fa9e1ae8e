"""`assistant analytics summary|attribution|demo`: the analytics figures from the command line."""

from __future__ import annotations

import json
from datetime import datetime

import typer
from rich.console import Console
from rich.table import Table

console = Console()
app = typer.Typer(no_args_is_help=True, help="Measurement: figures against a baseline, journey effects.")
FROM = typer.Option(None, "--from", formats=["%Y-%m-%d"], help="First day (UTC), default 30 days ago.")
TO = typer.Option(None, "--to", formats=["%Y-%m-%d"], help="Last day (UTC, inclusive), default today.")


def _fmt(value) -> str:
    return "–" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


@app.command("summary")
def summary_command(
    start: datetime = FROM, end: datetime = TO,
    baseline_from: datetime = typer.Option(None, formats=["%Y-%m-%d"], help="Baseline first day (default: the period before)."),
    baseline_to: datetime = typer.Option(None, formats=["%Y-%m-%d"], help="Baseline last day."),
    department: str = typer.Option(None, help="Only jobs of this department (job-linked figures)."),
    country: str = typer.Option(None, help="Only jobs in this country (job-linked figures)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Containment, escalation, replies, ratings, NPS, completion, offers and time-to-fill, against a baseline."""
    from assistant.analytics import metrics
    from assistant.db import session_scope

    try:
        period = metrics.period_between(start and start.date(), end and end.date())
        baseline = (metrics.period_between(baseline_from.date(), baseline_to and baseline_to.date())
                    if baseline_from else None)
    except ValueError as error:
        console.print(f"[red]✗ {error}[/]")
        raise typer.Exit(2)
    with session_scope() as db:
        report = metrics.report(db_session=db, period=period, baseline=baseline,
                                filters=metrics.Filters(department=department, country=country))
    result = metrics.summary(report)
    if as_json:
        print(json.dumps(result, indent=2))
        return
    table = Table(title=f"{result['period']['from'][:10]} – {result['period']['to'][:10]} "
                        f"(baseline {result['baseline_period']['from'][:10]} – {result['baseline_period']['to'][:10]})")
    for column in ("figure", "now", "baseline"):
        table.add_column(column, justify="left" if column == "figure" else "right")
    for key in metrics.SUMMARY_KEYS:
        table.add_row(key, _fmt(result[key]), _fmt(result["baseline"][key]))
    console.print(table)


@app.command("attribution")
def attribution_command(start: datetime = FROM, end: datetime = TO,
                        as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Each journey with a holdout: treated vs holdout rate of its goal, the difference and its 95% interval."""
    from dataclasses import asdict

    from assistant.analytics import attribution, metrics
    from assistant.db import session_scope

    period = metrics.period_between(start and start.date(), end and end.date(), default_days=90)
    with session_scope() as db:
        effects = attribution.effects(db_session=db, start=period.start, end=period.end)
    if as_json:
        print(json.dumps([asdict(e) for e in effects], indent=2))
        return
    table = Table(title=f"Journey effects vs holdout (goal within {attribution.ATTRIBUTION_WINDOW_DAYS} days)")
    for column in ("journey", "goal", "treated", "holdout", "difference (95% CI)"):
        table.add_column(column)
    for e in effects:
        ci = f"{e.difference:+.3f} ({e.ci_low:+.3f} to {e.ci_high:+.3f})" if e.enough_data else e.note
        table.add_row(e.journey_id, str(e.goal), f"{e.treated_outcomes}/{e.treated}", f"{e.holdout_outcomes}/{e.holdout_runs}", ci)
    console.print(table if effects else "No journey with a holdout share has runs in this period.")


@app.command("demo")
def demo_command() -> None:
    """Load demo figures with known values (last 14 days and the 14 before) for the analytics and audit pages."""
    from assistant.analytics import demo
    from assistant.audit import demo as audit_demo
    from assistant.db import session_scope
    from assistant.settings import get_settings

    with session_scope() as db:
        loaded = demo.load(db_session=db, tracker_store_url=get_settings().tracker_store_url)
        audit_demo.load(db_session=db)
    console.print(f"[green]✓[/] demo figures loaded for {loaded.period.start:%Y-%m-%d} – {loaded.period.end:%Y-%m-%d} "
                  f"(baseline from {loaded.baseline.start:%Y-%m-%d})")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="analytics")
