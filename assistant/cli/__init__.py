"""The ``assistant`` command: setup steps, running the stack, and the tools of each concern."""

import typer

from assistant.cli import analytics, audit, candidates, evaluation, inbox, jobs, journeys, knowledge, retention, stack

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Conversational candidate assistant.")
stack.register(app)
evaluation.register(app)
inbox.register(app)
candidates.register(app)
jobs.register(app)
knowledge.register(app)
retention.register(app)
journeys.register(app)
analytics.register(app)
audit.register(app)
