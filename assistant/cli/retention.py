"""`assistant retention purge`: delete conversation data past its retention (the API also does it daily)."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

console = Console()
retention_app = typer.Typer(no_args_is_help=True, help="Retention of conversation data.")


@retention_app.command("purge")
def purge(dry_run: bool = typer.Option(False, "--dry-run", help="Count what would go, change nothing.")) -> None:
    """Delete or blank conversation data older than its retention (see assistant/retention.py)."""
    from assistant import retention
    from assistant.settings import get_settings

    counts = retention.run(dry_run=dry_run)
    settings = get_settings()
    table = Table(title=f"Retention purge{' (dry run: nothing changed)' if dry_run else ''}: chats "
                        f"{settings.conversation_retention_days} days, behaviour {settings.behaviour_retention_days} days")
    table.add_column("what")
    table.add_column("count", justify="right")
    for what, count in counts.items():
        table.add_row(what, str(count))
    console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(retention_app, name="retention")
