"""`assistant audit bias|export|erase|features`: bias audit, data-subject rights and AI feature switches."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import typer
from rich.console import Console

from assistant.audit.service import CLI

console = Console()
app = typer.Typer(no_args_is_help=True, help="Compliance: bias audit, export and erasure, AI feature switches.")


@app.command("bias")
def bias_command(
    start: datetime = typer.Option(None, "--from", formats=["%Y-%m-%d"], help="First day (UTC), default a year ago."),
    end: datetime = typer.Option(None, "--to", formats=["%Y-%m-%d"], help="Last day (UTC, inclusive), default today."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Selection or scoring rates and impact ratios by sex, race/ethnicity and both, per output (LL144 shape)."""
    from assistant.analytics.metrics import period_between
    from assistant.audit import bias
    from assistant.db import session_scope

    period = period_between(start and start.date(), end and end.date(), default_days=365)
    with session_scope() as db:
        report = bias.report(db_session=db, start=period.start, end=period.end)
    if as_json:
        print(json.dumps(report, indent=2))
        return
    print(bias.printable(report))


@app.command("export")
def export_command(external_id: str = typer.Argument(..., help="The candidate's external id, e.g. C-1001."),
                   out: Path = typer.Option(None, help="Write the JSON here instead of printing it.")) -> None:
    """Everything held about one candidate as JSON (record, applications, chats, events, ...); audited."""
    from assistant.audit import subject
    from assistant.candidates.service import NotFound
    from assistant.db import session_scope
    from assistant.settings import get_settings

    try:
        with session_scope() as db:
            data = subject.export(db_session=db, external_id=external_id, actor=CLI,
                                  tracker_store_url=get_settings().tracker_store_url)
    except NotFound as error:
        console.print(f"[red]✗ {error}[/]")
        raise typer.Exit(1)
    text = json.dumps(data, indent=2, default=str)
    if out:
        out.write_text(text)
        console.print(f"[green]✓[/] wrote {out}")
    else:
        print(text)


@app.command("erase")
def erase_command(external_id: str = typer.Argument(..., help="The candidate's external id."),
                  yes: bool = typer.Option(False, "--yes", help="Confirm: this cannot be undone.")) -> None:
    """Delete everything held about one candidate, chats in Rasa's tracker store included; audited."""
    from assistant.audit import subject
    from assistant.candidates.service import NotFound
    from assistant.db import session_scope
    from assistant.settings import get_settings

    if not yes:
        console.print("[red]✗ erasure cannot be undone: add --yes to confirm[/]")
        raise typer.Exit(2)
    try:
        with session_scope() as db:
            result = subject.erase(db_session=db, external_id=external_id, actor=CLI,
                                   tracker_store_url=get_settings().tracker_store_url)
    except NotFound as error:
        console.print(f"[red]✗ {error}[/]")
        raise typer.Exit(1)
    console.print(f"[green]✓[/] erased {sum(result.rows.values())} rows in {len(result.rows)} tables and "
                  f"{result.conversations} chat conversations")


@app.command("features")
def features_command(off: str = typer.Option(None, help="Turn off a feature, or 'all'."),
                     on: str = typer.Option(None, help="Turn on a feature, or 'all'."),
                     reason: str = typer.Option("", help="Why (kept in the audit log with the change, masked)."),
                     history: bool = typer.Option(False, "--history", help="Also list the changes, newest first.")) -> None:
    """Show the AI feature switches (human oversight), or turn one or all of them off or on."""
    from assistant.audit import service as audit_service
    from assistant.db import session_scope
    from assistant.oversight import service as oversight_service

    with session_scope() as db:
        try:
            for name, enabled in ((off, False), (on, True)):
                if name == "all":
                    oversight_service.set_all(db_session=db, enabled=enabled, changed_by="cli", actor=audit_service.CLI,
                                              reason=reason)
                elif name:
                    oversight_service.set_enabled(db_session=db, feature=name, enabled=enabled, changed_by="cli",
                                                  actor=audit_service.CLI, reason=reason)
        except oversight_service.UnknownFeature as error:
            console.print(f"[red]✗ {error}[/]")
            raise typer.Exit(2)
        for feature, switch in oversight_service.switches(db_session=db).items():
            state = "[green]on[/]" if switch is None or switch.enabled else "[red]off[/]"
            console.print(f"{feature:<18} {state}  {oversight_service.FEATURES[feature]}")
        if history:
            for change in oversight_service.history(db_session=db):
                console.print(f"{change.at:%Y-%m-%d %H:%M} UTC  {change.feature:<18} {'on' if change.enabled else 'off':<3}  "
                              f"{change.by} ({change.channel})" + (f"  {change.reason}" if change.reason else ""))


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="audit")
