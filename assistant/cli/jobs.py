"""`assistant jobs ...`: import an ATS feed, bring the index up to date, close a job, try recommendations."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

console = Console()
jobs_app = typer.Typer(no_args_is_help=True, help="Jobs catalogue, index and recommendations.")


@jobs_app.command("import")
def import_feed(
    path: Path = typer.Argument(..., exists=True, dir_okay=False, help="A JSON (array) or CSV jobs feed."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Validate and count only."),
) -> None:
    """Import jobs by external_id (idempotent; bad rows are listed and the others still imported), then re-index."""
    from assistant.db import session_scope
    from assistant.jobs import index, service

    try:
        rows = service.parse_feed(content=path.read_bytes(), filename=path.name)
    except (service.FeedError, UnicodeDecodeError) as error:
        console.print(f"[red]✗ {path}: {error}[/]")
        raise typer.Exit(2) from error
    with session_scope() as db:
        report = service.import_jobs(db_session=db, rows=rows, dry_run=dry_run)
    table = Table(title=f"{path.name}: {len(rows)} rows" + (" (dry run)" if dry_run else ""))
    for column in ("created", "updated", "unchanged", "errors"):
        table.add_column(column, justify="right")
    table.add_row(str(report.created), str(report.updated), str(report.unchanged), str(len(report.errors)))
    console.print(table)
    for error in report.errors:
        console.print(f"[red]row {error.row}[/] ({error.external_id or '?'}): {'; '.join(error.errors)}")
    if not dry_run:
        with session_scope() as db:
            result = index.sync(db_session=db)
        console.print(f"index {result.version} ({result.kind}): {result.jobs} open jobs, +{result.added} ~{result.updated} -{result.removed}")
    if report.errors:
        raise typer.Exit(1)


@jobs_app.command("index")
def build_index(rebuild: bool = typer.Option(False, "--rebuild", help="Rebuild from scratch (re-embeds nothing stored).")) -> None:
    """Bring the jobs index in line with the open jobs (only new or changed jobs are embedded)."""
    from assistant.db import session_scope
    from assistant.jobs import index

    with session_scope() as db:
        result = index.sync(db_session=db, force_rebuild=rebuild)
    state = "published" if result.published else "unchanged"
    console.print(f"index {result.version} {state} ({result.kind}): {result.jobs} open jobs, "
                  f"+{result.added} ~{result.updated} -{result.removed} in {result.seconds:.1f}s")


@jobs_app.command("close")
def close(external_id: str = typer.Argument(..., help="The job's external id, e.g. FH-1001.")) -> None:
    """Close a job: it leaves recommendations at once."""
    from assistant.db import session_scope
    from assistant.jobs import index, service

    with session_scope() as db:
        try:
            service.close_job(db_session=db, external_id=external_id)
        except service.JobNotFound as error:
            console.print(f"[red]✗ {error}[/]")
            raise typer.Exit(1) from error
    with session_scope() as db:
        index.sync(db_session=db)
    console.print(f"closed {external_id}")


@jobs_app.command("recommend")
def recommend(text: str = typer.Argument(..., help='A request such as "remote python jobs".'),
              size: int = typer.Option(5, "--size")) -> None:
    """Show what an anonymous visitor asking this would see (not logged)."""
    from assistant.db import session_scope
    from assistant.jobs.recommend import recommend_jobs

    with session_scope() as db:
        result = recommend_jobs(db_session=db, text=text, page_size=size, log_shown=False)
    console.print(f"request: {result.request.describe() or '-'} → {result.reason}")
    table = Table()
    for column in ("id", "title", "location", "salary", "why"):
        table.add_column(column)
    for item in result.items:
        card = item.card()
        table.add_row(card["id"], card["title"], card["location"], card["salary"], card["why"])
    console.print(table)


@jobs_app.command("send-alerts")
def send_alerts() -> None:
    """E-mail due job alerts now (the API also does it every few hours)."""
    from assistant.jobs import alerts

    counts = alerts.send_alerts()
    console.print(f"{counts['emails']} e-mail(s) with {counts['jobs']} job(s) to {counts['candidates']} candidate(s) "
                  f"with alerts on; {counts['failed']} failed")
    if counts["failed"]:
        raise typer.Exit(1)


@jobs_app.command("eval")
def evaluate(
    catalogue: Path = typer.Option(..., "--catalogue", exists=True, dir_okay=False, help="A JSON or CSV jobs feed."),
    cases: Path = typer.Option(..., "--cases", exists=True, dir_okay=False,
                               help='JSONL of {"request", "expected": [external ids]} or "expected_titles".'),
    tune: bool = typer.Option(False, help="Choose the page policy on the development half first, then report both."),
) -> None:
    """Recall@1/@5/@10, MRR and NDCG@10 of the recommender, BM25 and embeddings alone on a scratch copy of the feed."""
    from assistant.jobs import catalogue_eval, service

    try:
        catalogue_eval.evaluate(catalogue=catalogue, cases_path=cases, tune=tune)
    except (service.FeedError, ValueError) as error:
        console.print(f"[red]✗ {error}[/]")
        raise typer.Exit(2) from error


def register(app: typer.Typer) -> None:
    app.add_typer(jobs_app, name="jobs")
