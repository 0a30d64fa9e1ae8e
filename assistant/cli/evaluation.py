"""`assistant eval` and `assistant bench`: run the registered evaluations and benchmarks."""

from __future__ import annotations

import importlib
import json

import typer
from rich.console import Console

from assistant.evaluation import BENCHMARKS, EVALUATIONS
from assistant.settings import get_settings

console = Console()


def _run(registry: dict[str, str], only: list[str] | None, kind: str) -> None:
    names = only or list(registry)
    unknown = [name for name in names if name not in registry]
    if unknown:
        raise typer.BadParameter(f"unknown {kind}: {', '.join(unknown)} (known: {', '.join(registry)})")
    reports = get_settings().data_dir / "reports"
    reports.mkdir(parents=True, exist_ok=True)
    for name in names:
        module, function = registry[name].split(":")
        console.rule(f"{kind}: {name}")
        figures = getattr(importlib.import_module(module), function)()
        (reports / f"{kind}-{name}.json").write_text(json.dumps(figures, indent=2, default=str))


def register(app: typer.Typer) -> None:
    @app.command("eval")
    def eval_command(only: list[str] = typer.Argument(None, help="Evaluations to run (default: all).")) -> None:
        """Quality figures: knowledge retrieval, recommendations, escalation."""
        _run(EVALUATIONS, only, "eval")

    @app.command("bench")
    def bench_command(only: list[str] = typer.Argument(None, help="Benchmarks to run (default: all).")) -> None:
        """Speed and memory figures."""
        _run(BENCHMARKS, only, "bench")
