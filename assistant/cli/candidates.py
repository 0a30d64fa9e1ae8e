"""`assistant ats import`, `assistant mail outbox` and `assistant demo token`."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

console = Console()
ats_app = typer.Typer(no_args_is_help=True, help="ATS integration: import candidates, applications, stage changes, interviews.")
mail_app = typer.Typer(no_args_is_help=True, help="Mail: read the development outbox.")
demo_app = typer.Typer(no_args_is_help=True, help="Demo helpers.")


@ats_app.command("import")
def import_file(
    path: Path = typer.Argument(..., exists=True, dir_okay=False, help="A JSON file with an array of rows."),
    kind: str = typer.Option(..., "--kind", help="candidates, applications, stage-changes, interviews, offers, hires, job-fills or self-identification."),
) -> None:
    """Import rows from a JSON file (idempotent; bad rows are listed and the others still imported)."""
    from assistant.audit.service import CLI
    from assistant.candidates import ats
    from assistant.db import session_scope

    if kind not in ats.KINDS:
        console.print(f"[red]✗ --kind must be one of {', '.join(ats.KINDS)}[/]")
        raise typer.Exit(2)
    try:
        rows = json.loads(path.read_text())
    except json.JSONDecodeError as error:
        console.print(f"[red]✗ {path} is not valid JSON: {error}[/]")
        raise typer.Exit(2) from error
    if not isinstance(rows, list):
        console.print(f"[red]✗ {path} must hold a JSON array of rows[/]")
        raise typer.Exit(2)
    with session_scope() as db:
        result = ats.import_rows(db_session=db, kind=kind, rows=rows, actor=CLI)
    table = Table(title=f"{kind}: {len(rows)} rows")
    for column in ("created", "updated", "unchanged", "errors"):
        table.add_column(column, justify="right")
    table.add_row(str(result.created), str(result.updated), str(result.unchanged), str(len(result.errors)))
    console.print(table)
    for error in result.errors:
        console.print(f"[red]row {error.row}[/] ({error.external_id or '?'}): {'; '.join(error.errors)}")
    if result.errors:
        raise typer.Exit(1)


@mail_app.command("outbox")
def show_outbox(
    limit: int = typer.Option(5, help="How many of the newest messages."),
    to: str = typer.Option(None, help="Only messages to this address."),
) -> None:
    """Print the newest messages of the development outbox (used when no SMTP host is configured)."""
    from assistant import mail
    from assistant.settings import get_settings

    messages = mail.outbox(limit=limit, to=to)
    if not messages:
        console.print(f"the outbox ({get_settings().outbox_dir}) is empty")
        return
    for message in messages:
        console.rule(f"{message['Date']}  to {message['To']}")
        console.print(f"[bold]{message['Subject']}[/]\n")
        console.print(message.get_content().strip(), markup=False)


@demo_app.command("token")
def demo_token(external_id: str = typer.Argument(..., help="A candidate external id, e.g. C-1001.")) -> None:
    """Print a fresh signed candidate token (what the career site puts in the chat metadata)."""
    from assistant.candidates import service as candidates_service
    from assistant.db import session_scope
    from assistant.identity import service as identity_service

    with session_scope() as db:
        if candidates_service.get_by_external_id(db_session=db, external_id=external_id) is None:
            console.print(f"[red]✗ no candidate {external_id!r} (load the demo data with `assistant prepare`)[/]")
            raise typer.Exit(1)
    print(identity_service.issue_token(candidate_external_id=external_id))


def register(app: typer.Typer) -> None:
    app.add_typer(ats_app, name="ats")
    app.add_typer(mail_app, name="mail")
    app.add_typer(demo_app, name="demo")
