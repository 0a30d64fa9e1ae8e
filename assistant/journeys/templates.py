"""Message templates of journeys: Jinja2 in a sandbox, with ``kb(article, heading)`` quoting the knowledge base.

Templates see only the plain context built for one message (first name, job, stage, interview in the
candidate's time zone, unsubscribe links, the NPS survey link of a stage outcome); an unknown name is an
error, found by ``assistant journeys check`` with a sample context of the trigger's kind.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from assistant.knowledge import documents
from assistant.settings import get_settings

MAX_QUOTE_CHARS = 700


class MissingSection(LookupError):
    """A template quotes a knowledge-base section that does not exist."""


@lru_cache(maxsize=4)
def _sections(folder: str, stamp: tuple) -> dict[tuple[str, str], str]:
    loaded, _problems = documents.load(Path(folder), lenient=True)
    return {(doc.path, section.heading): section.text for doc in loaded for section in doc.sections}


def _stamp(folder: Path) -> tuple:
    return tuple(sorted((p.name, p.stat().st_mtime_ns) for p in folder.glob("*.md"))) if folder.exists() else ()


def quote_section(article: str, heading: str) -> str:
    """Returns the plain text of one knowledge-base section (cut to MAX_QUOTE_CHARS); raises MissingSection."""
    folder = get_settings().knowledge_dir
    text = _sections(str(folder), _stamp(folder)).get((article, heading))
    if text is None:
        raise MissingSection(f"kb({article!r}, {heading!r}): no such section in the knowledge base")
    if len(text) > MAX_QUOTE_CHARS:
        text = text[:MAX_QUOTE_CHARS].rsplit(" ", 1)[0] + " …"
    return text


def _environment() -> SandboxedEnvironment:
    env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)
    env.globals["kb"] = quote_section
    return env


ENV = _environment()


def render(template: str, context: dict[str, Any]) -> str:
    """Returns the rendered text (raises TemplateError or MissingSection)."""
    return ENV.from_string(template).render(**context).strip()


SAMPLE_INTERVIEW = {"when": "Thursday 3 December, 14:00 (Europe/London)", "kind": "video", "location": None,
                    "meeting_link": "https://meet.example.com/x", "interviewers": "Grace Liu", "notes": None,
                    "duration_minutes": 60}


def sample_context(trigger_kind: str) -> dict[str, Any]:
    """Returns a context of the shape a trigger of this kind produces (used to check templates)."""
    context: dict[str, Any] = {
        "candidate": {"first_name": "Alex"}, "company": "Fernhill Group", "recruiting_email": "recruiting@example.com",
        "department": "engineering", "unsubscribe_url": "https://x/u", "unsubscribe_all_url": "https://x/a",
        "job": {"title": "Data Engineer", "department": "data"},
        "stage": {"name": "interviews", "label": "Interviews", "explanation": "…", "next_step": "…"},
        "days_in_stage": 12, "typical_days": 10, "interview": None, "nps_url": None,
    }
    if trigger_kind == "stage_changed":
        context["nps_url"] = "https://x/feedback/nps?token=t"
    if trigger_kind in ("before_interview", "interview_booked"):
        context["interview"] = SAMPLE_INTERVIEW
    if trigger_kind == "jobs_viewed_without_applying":
        context["job"], context["stage"] = None, None
    if trigger_kind == "apply_started_not_completed":
        context["stage"] = None
    return context


def check(journey) -> list[tuple[tuple, str]]:
    """Returns (YAML path, message) for every template of a journey that does not render on a sample context."""
    problems = []
    context = sample_context(journey.trigger.kind)
    for index, action in enumerate(journey.actions):
        fields = {"email": ("subject", "body"), "chat": ("text",), "task": ("title",)}.get(action.kind, ())
        for name in fields:
            source = getattr(getattr(action, action.kind), name)
            try:
                render(source, context)
            except (TemplateError, MissingSection) as error:
                line = getattr(error, "lineno", None)
                where = f" (template line {line})" if line else ""
                problems.append((("actions", index, action.kind, name), f"{action.kind}.{name}: {error}{where}"))
    return problems
