"""`assistant inbox ...`: recruiter-inbox accounts and the escalation spool."""

from __future__ import annotations

import typer
from rich.console import Console

console = Console()
inbox_app = typer.Typer(no_args_is_help=True, help="Recruiter inbox: accounts and undelivered escalations.")


@inbox_app.command("create-user")
def create_user(
    email: str = typer.Option(..., help="Sign-in e-mail."),
    name: str = typer.Option(..., help="Name shown to colleagues (the first name signs replies to candidates)."),
    role: str = typer.Option("recruiter", help="recruiter, content_owner, admin, lead (analytics, read-only) or privacy (export and erasure)."),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True,
                                 help="At least 10 characters (prompted when omitted)."),
) -> None:
    """Create an inbox account (the password is stored as an argon2 hash)."""
    from assistant.db import session_scope
    from assistant.inbox import staff

    try:
        with session_scope() as db:
            user = staff.create(db_session=db, email=email, name=name, role=role, password=password)
            console.print(f"[green]✓[/] created {user.role} account #{user.id} for {user.email}")
    except staff.StaffError as error:
        console.print(f"[red]✗ {error}[/]")
        raise typer.Exit(1) from error


@inbox_app.command("set-password")
def set_password(
    email: str = typer.Option(..., help="The account's sign-in e-mail."),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True,
                                 help="At least 10 characters (prompted when omitted)."),
) -> None:
    """Reset an account's password (also lifts a sign-in lock-out)."""
    _change(lambda db, staff: staff.set_password(db_session=db, email=email, password=password), "password changed")


@inbox_app.command("disable-user")
def disable_user(email: str = typer.Option(..., help="The account's sign-in e-mail.")) -> None:
    """Disable an account: it can no longer sign in, and its open sessions stop working."""
    _change(lambda db, staff: staff.set_active(db_session=db, email=email, active=False), "disabled")


@inbox_app.command("enable-user")
def enable_user(email: str = typer.Option(..., help="The account's sign-in e-mail.")) -> None:
    """Enable a disabled account again."""
    _change(lambda db, staff: staff.set_active(db_session=db, email=email, active=True), "enabled")


def _change(change, done: str) -> None:
    from assistant.db import session_scope
    from assistant.inbox import staff

    try:
        with session_scope() as db:
            user = change(db, staff)
            console.print(f"[green]✓[/] {user.email}: {done}")
    except staff.StaffError as error:
        console.print(f"[red]✗ {error}[/]")
        raise typer.Exit(1) from error


@inbox_app.command("deliver")
def deliver() -> None:
    """Deliver escalations spooled while the inbox was unreachable, and replies kept while Rasa was down."""
    from assistant.escalation import delivery

    counts = delivery.deliver_once()
    console.print(f"delivered {counts['escalations']} escalation(s) and {counts['replies']} reply(ies)")


def register(app: typer.Typer) -> None:
    app.add_typer(inbox_app, name="inbox")
