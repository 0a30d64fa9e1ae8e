"""`assistant eval` and `assistant bench`: run the registered evaluations and benchmarks."""

from __future__ import annotations

import importlib
import inspect
import json

import typer
from rich.console import Console

from assistant.evaluation import BENCHMARKS, EVALUATIONS, ON_REQUEST
from assistant.settings import get_settings

console = Console()


def _run(registry: dict[str, str], only: list[str] | None, kind: str, **options: float) -> None:
    names = only or [name for name in registry if name not in ON_REQUEST]
    unknown = [name for name in names if name not in registry]
    if unknown:
        raise typer.BadParameter(f"unknown {kind}: {', '.join(unknown)} (known: {', '.join(registry)})")
    reports = get_settings().data_dir / "reports"
    reports.mkdir(parents=True, exist_ok=True)
    for name in names:
        module, function = registry[name].split(":")
        console.rule(f"{kind}: {name}")
        run = getattr(importlib.import_module(module), function)
        accepted = inspect.signature(run).parameters
        figures = run(**{key: value for key, value in options.items() if key in accepted and value is not None})
        (reports / f"{kind}-{name}.json").write_text(json.dumps(figures, indent=2, default=str))


def register(app: typer.Typer) -> None:
    @app.command("eval")
    def eval_command(only: list[str] = typer.Argument(None, help="Evaluations to run (default: all).")) -> None:
        """Quality figures: knowledge retrieval, recommendations, escalation."""
        _run(EVALUATIONS, only, "eval")

    @app.command("bench")
    def bench_command(
        only: list[str] = typer.Argument(None, help=f"Benchmarks to run (default: all but {', '.join(sorted(ON_REQUEST))})."),
        minutes: float = typer.Option(None, min=0.1, help="How long the soak runs (default 30)."),
    ) -> None:
        """Speed and memory figures."""
        _run(BENCHMARKS, only, "bench", minutes=minutes)
