"""`assistant journeys check|simulate|tick|runs`: journeys from journeys/*.yml on the command line."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

console = Console()
journeys_app = typer.Typer(no_args_is_help=True, help="Candidate journeys: check, simulate, run the scheduler once.")


@journeys_app.command("check")
def check_command(folder: Path = typer.Option(None, help="Journeys folder (default: settings.journeys_dir).")) -> None:
    """Validate every journey file; print each problem as file:line: message (exit 1 on problems)."""
    from assistant.journeys import definitions
    from assistant.settings import get_settings

    folder = folder or get_settings().journeys_dir
    loaded = definitions.load(folder)
    for problem in loaded.problems:
        console.print(f"[red]{folder / problem.path}:{problem.line}[/]: {problem.message}", highlight=False, soft_wrap=True)
    if loaded.problems:
        raise typer.Exit(1)
    console.print(f"[green]✓[/] {folder}: {len(loaded.journeys)} journeys, no problems (folder hash {loaded.folder_hash})")


@journeys_app.command("simulate")
def simulate_command(days: float = typer.Option(14, "--days", min=0, help="How many days ahead."),
                     as_json: bool = typer.Option(False, "--json", help="One entry per journey with its messages.")) -> None:
    """Show who would get what and when on the current data; sends nothing and changes nothing."""
    from assistant import clock
    from assistant.db import session_scope
    from assistant.journeys import scheduler, simulate

    journeys = scheduler.current_journeys()
    with session_scope() as db:
        entries = simulate.simulate(db_session=db, journeys=journeys, now=clock.now(), days=days)
        db.rollback()
    if as_json:
        print(json.dumps(entries, indent=2, ensure_ascii=False))
        return
    table = Table(title=f"Journeys over the next {days:g} days (nothing sent)")
    for column in ("journey", "send", "held out", "skipped / waiting", "first messages"):
        table.add_column(column)
    for entry in entries:
        messages = entry["messages"]
        sent = [m for m in messages if m["outcome"] == "send"]
        other = [m for m in messages if m["outcome"] in ("skipped", "waiting", "cancelled")]
        first = ", ".join(f"{m['candidate']} {m['send_at']}" for m in sent[:3])
        table.add_row(entry["journey_id"], str(len(sent)), str(sum(m["outcome"] == "held_out" for m in messages)),
                      str(len(other)), first)
    console.print(table)


@journeys_app.command("tick")
def tick_command() -> None:
    """Plan and send what is due now, once (the API does this every settings.journey_tick_seconds)."""
    from assistant.journeys import scheduler

    console.print_json(json.dumps(scheduler.tick(replan=True)))


@journeys_app.command("runs")
def runs_command() -> None:
    """Count the journey runs in each status."""
    from assistant.db import session_scope
    from assistant.journeys import scheduler

    with session_scope() as db:
        console.print_json(json.dumps(scheduler.run_counts(db_session=db)))


def register(app: typer.Typer) -> None:
    app.add_typer(journeys_app, name="journeys")
