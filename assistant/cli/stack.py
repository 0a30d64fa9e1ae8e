"""Commands that prepare and run the whole stack."""

from __future__ import annotations

import signal
import threading
import time

import typer
from rich.console import Console

from assistant import migrate as migrations
from assistant import stack
from assistant.settings import get_settings

console = Console()


def prepare_steps() -> list[tuple[str, callable]]:
    """Returns the setup steps shared by `run` and `make test`, in order."""
    settings = get_settings()
    from assistant import demo

    return [
        ("Migrating the database", lambda: migrations.upgrade()),
        ("Loading demo data", lambda: demo.load()),
        ("Building search indexes", lambda: demo.build_indexes()),
        ("Training the Rasa model (skipped when unchanged)", lambda: stack.train_if_needed(settings)),
    ]


def prepare() -> dict[str, float]:
    """Runs every setup step with a status line; returns seconds per step."""
    timings = {}
    for title, step in prepare_steps():
        start = time.monotonic()
        with console.status(f"[bold blue]{title}…"):
            step()
        timings[title] = time.monotonic() - start
        console.print(f"[green]✓[/] {title} [dim]({timings[title]:.1f}s)[/]")
    return timings


def register(app: typer.Typer) -> None:
    @app.command("migrate")
    def migrate_command() -> None:
        """Migrate the database to the newest schema."""
        migrations.upgrade()

    @app.command("train")
    def train_command(force: bool = typer.Option(False, help="Train even if nothing changed.")) -> None:
        """Train the Rasa model when its config, domain or data changed."""
        trained = stack.train_if_needed(get_settings(), force=force)
        console.print("trained" if trained else "model is up to date")

    @app.command("prepare")
    def prepare_command() -> None:
        """Migrate, load demo data, build indexes and train: everything before starting."""
        prepare()

    @app.command("run")
    def run_command(
        skip_prepare: bool = typer.Option(False, help="Start without the setup steps."),
        replicas: int = typer.Option(1, min=1, max=8, help="Rasa servers, action servers and API processes "
                                     "behind HAProxy (2 or more need PostgreSQL and Redis)."),
    ) -> None:
        """Prepare, then run the Rasa server, the action server and the API (restarted if one exits) until Ctrl-C."""
        from assistant import cluster
        from assistant.supervisor import Supervisor

        settings = get_settings()
        started = time.monotonic()
        if replicas > 1:
            try:
                cluster.check_settings(settings)
            except cluster.ClusterConfigError as error:
                console.print(f"[red]✗ {error}[/]")
                raise typer.Exit(2) from error
        if not skip_prepare:
            prepare()
        services = stack.services(settings) if replicas == 1 else cluster.services(settings, replicas)[0]
        supervisor = Supervisor(services, state_file=settings.data_dir / "run" / "processes.json")

        def announce() -> None:
            try:
                stack.wait_healthy([s.health_url for s in services], timeout=300)
            except TimeoutError as error:
                console.print(f"[red]✗ {error}[/]")
                return
            layout = f" ({replicas} replicas of each behind HAProxy)" if replicas > 1 else ""
            console.print(
                f"\n[bold green]✓ All services healthy[/]{layout} after {time.monotonic() - started:.0f}s\n"
                f"  Career site:      {settings.public_url}/  (chat bubble bottom right)\n"
                f"  Full-page chat:   {settings.public_url}/chat\n"
                f"  Recruiter inbox:  {settings.public_url}/inbox\n"
                f"  Knowledge gaps:   {settings.public_url}/inbox/knowledge (content owners)\n"
                f"  API docs:         {settings.public_url}/docs\n"
                "  Press Ctrl-C to stop everything.\n"
            )

        signal.signal(signal.SIGTERM, _interrupt)
        supervisor.start()
        threading.Thread(target=announce, daemon=True).start()
        try:
            supervisor.wait()
        except KeyboardInterrupt:
            console.print("\nStopping every service…")
        finally:
            supervisor.stop()


def _interrupt(_signum, _frame) -> None:
    raise KeyboardInterrupt
