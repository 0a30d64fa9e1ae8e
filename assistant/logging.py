"""Structured logs (key=value, or JSON in production). Log ids and counts, never message texts or contact data."""

from __future__ import annotations

import logging
import sys

import structlog

from assistant.settings import get_settings


def configure_logging(level: int = logging.INFO) -> None:
    """Routes stdlib and structlog logs through one structured formatter on stderr."""
    json_logs = get_settings().env == "production"
    renderer = structlog.processors.JSONRenderer() if json_logs else structlog.dev.ConsoleRenderer(colors=False)
    shared = [structlog.processors.TimeStamper(fmt="iso"), structlog.stdlib.add_log_level, structlog.stdlib.add_logger_name]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(structlog.stdlib.ProcessorFormatter(processor=renderer, foreign_pre_chain=shared))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
