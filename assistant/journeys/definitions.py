"""Journeys as files: ``journeys/*.yml`` validated with pydantic, every problem reported as ``file:line: message``.

A journey's version is the content hash of its file; the folder's hash (all names and contents) tells the
scheduler when to reload. ``load`` returns only valid journeys and the problems of the others, so one broken
file never stops the rest.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from assistant.candidates.stages import Stage
from assistant.journeys import templates
from assistant.knowledge.documents import Problem  # the same file:line problem the knowledge check reports

DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(m|h|d)\s*$")
UNITS = {"m": "minutes", "h": "hours", "d": "days"}
GOALS = ("application_completed", "assessment_completed", "interview_booked", "offer_accepted", "stage_moved",
         "replied", "applied")
STOPS = ("applied", "replied", "withdrew", "stage_moved", "ticket_open")
INTERVIEW_KINDS = ("phone", "video", "technical", "behavioural", "panel", "onsite")


def parse_duration(value: Any) -> timedelta:
    """Returns a timedelta for "30m", "48h" or "3d"; raises ValueError otherwise."""
    if isinstance(value, timedelta):
        return value
    match = DURATION.match(str(value))
    if not match:
        raise ValueError(f"{value!r} is not a duration like 30m, 48h or 3d")
    return timedelta(**{UNITS[match.group(2)]: float(match.group(1))})


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StageChanged(Strict):
    """ATS event: the application moved to one of these stages (offer accepted = moved to hired).

    ``once_per_application``: only the first of these stages an application reaches starts the journey
    (e.g. one survey per application, even if a closed application is reopened and closed again)."""
    kind: Literal["stage_changed"]
    stages: list[Stage] = Field(min_length=1)
    wait: Duration = timedelta(0)
    once_per_application: bool = False


class BeforeInterview(Strict):
    """Time condition: this long before an interview on the record (interview booked by the ATS or the chat)."""
    kind: Literal["before_interview"]
    before: Duration
    interview_kinds: list[Literal[INTERVIEW_KINDS]] = Field(default_factory=lambda: list(INTERVIEW_KINDS))


class InterviewBooked(Strict):
    """ATS event: an interview was created by the ATS (API or import) or booked by the candidate in the chat.

    Once per interview: moving it keeps the occurrence, cancelling it ends it, and it expires when the interview
    starts. ``min_lead``/``max_lead`` keep only interviews booked at least/at most this long before they start."""
    kind: Literal["interview_booked"]
    wait: Duration = timedelta(0)
    booked_by: list[Literal["ats", "candidate"]] = Field(default_factory=lambda: ["ats", "candidate"], min_length=1)
    interview_kinds: list[Literal[INTERVIEW_KINDS]] = Field(default_factory=lambda: list(INTERVIEW_KINDS))
    min_lead: Duration | None = None
    max_lead: Duration | None = None

    @model_validator(mode="after")
    def _leads(self) -> "InterviewBooked":
        if self.min_lead is not None and self.max_lead is not None and self.min_lead > self.max_lead:
            raise ValueError("min_lead is longer than max_lead: no interview would match")
        return self


class InStage(Strict):
    """Time condition: the application has been in this stage for this long (e.g. assessment, 3 days)."""
    kind: Literal["in_stage"]
    stage: Stage
    after: Duration


class LongerThanTypical(Strict):
    """Time condition: in a stage longer than its typical duration (settings.stage_typical_days)."""
    kind: Literal["longer_than_typical"]
    stages: list[Stage] = Field(default_factory=list)  # empty: every active stage
    wait: Duration = timedelta(0)


class JobsViewed(Strict):
    """Behaviour: this many views of jobs of one kind (department) within a window, without applying."""
    kind: Literal["jobs_viewed_without_applying"]
    views: int = Field(default=3, ge=1)
    within: Duration = timedelta(days=14)
    wait: Duration = timedelta(0)


class ApplyStarted(Strict):
    """Behaviour: an application started on the career site and not completed after this long."""
    kind: Literal["apply_started_not_completed"]
    after: Duration = timedelta(hours=24)


Trigger = Annotated[StageChanged | BeforeInterview | InterviewBooked | InStage | LongerThanTypical | JobsViewed
                    | ApplyStarted, Field(discriminator="kind")]


class Conditions(Strict):
    """Conditions on the record; every one given must hold."""
    departments: list[str] = Field(default_factory=list)  # of the application's (or viewed) job
    languages: list[str] = Field(default_factory=list)  # the candidate's language


class EmailAction(Strict):
    subject: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1)  # Jinja2 (sandboxed); kb("article.md", "Section heading") quotes a section


class ChatAction(Strict):
    text: str = Field(min_length=1, max_length=1000)


class TaskAction(Strict):
    title: str = Field(min_length=1, max_length=200)  # a recruiter task in the inbox (no candidate message)
    priority: Literal["normal", "high"] = "normal"


class WebhookAction(Strict):
    event: str = Field(pattern=r"^[a-z][a-z0-9_.]{1,63}$")  # e.g. onboarding.start; body carries ids only


class Action(Strict):
    email: EmailAction | None = None
    chat: ChatAction | None = None
    task: TaskAction | None = None
    webhook: WebhookAction | None = None

    @model_validator(mode="after")
    def _one(self) -> "Action":
        given = [name for name in ("email", "chat", "task", "webhook") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("each action is exactly one of email, chat, task, webhook")
        return self

    @property
    def kind(self) -> str:
        return next(name for name in ("email", "chat", "task", "webhook") if getattr(self, name) is not None)


class Journey(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,63}$")
    name: str = Field(min_length=1, max_length=120)
    reason: str = Field(min_length=1, max_length=400)  # the answer to "why did I get this?"
    purpose: Literal["service", "engagement"] = "service"  # engagement needs the candidate's alerts opt-in
    trigger: Trigger
    conditions: Conditions = Conditions()
    stop_when: list[Literal[STOPS]] = Field(default_factory=list)
    expires_after: Duration = timedelta(hours=72)  # not sent this long after it was due: dropped
    cap_exempt: bool = False  # logistics of an appointment the candidate booked; never a nudge
    holdout: float = Field(default=0, ge=0, lt=1)
    goal: Literal[GOALS] | None = None
    actions: list[Action] = Field(min_length=1)

    @property
    def messages_candidate(self) -> bool:
        return any(action.kind in ("email", "chat") for action in self.actions)

    @property
    def channel(self) -> str:
        """The journey_run channel: the candidate-facing action's, else the first action's."""
        kinds = [action.kind for action in self.actions]
        return next((kind for kind in ("email", "chat") if kind in kinds), kinds[0])


@dataclass(frozen=True)
class LoadedJourney:
    journey: Journey
    version: str  # content hash of the file
    path: str
    lines: dict[tuple, int]  # YAML path -> line (1-based), for problems found after validation (templates)


@dataclass(frozen=True)
class JourneySet:
    journeys: tuple[LoadedJourney, ...]
    problems: tuple[Problem, ...]
    folder_hash: str

    def get(self, journey_id: str) -> LoadedJourney | None:
        return next((item for item in self.journeys if item.journey.id == journey_id), None)


def folder_hash(folder: Path) -> str:
    """Returns the hash of every journey file's name and content (changes when any file is added, edited, removed)."""
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.yml")) if folder.exists() else []:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _line_map(node: yaml.Node, path: tuple = ()) -> dict[tuple, int]:
    lines = {path: node.start_mark.line + 1}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            lines[path + (key.value,)] = key.start_mark.line + 1
            lines.update({k: v for k, v in _line_map(value, path + (key.value,)).items() if k != path + (key.value,)})
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines.update(_line_map(item, path + (index,)))
    return lines


def line_of(lines: dict[tuple, int], loc: tuple) -> int:
    """Returns the line of the deepest known prefix of a YAML path."""
    for end in range(len(loc), -1, -1):
        if tuple(loc[:end]) in lines:
            return lines[tuple(loc[:end])]
    return 1


def _loc(loc: tuple) -> tuple:
    # pydantic adds the discriminator value (e.g. "before_interview") to union locations: drop it.
    return tuple(part for part in loc if not (isinstance(part, str) and part in _TRIGGER_KINDS))


_TRIGGER_KINDS = {"stage_changed", "before_interview", "interview_booked", "in_stage", "longer_than_typical",
                  "jobs_viewed_without_applying", "apply_started_not_completed"}


def parse(raw: bytes, rel: str) -> tuple[LoadedJourney | None, list[Problem]]:
    """Returns the journey in one file (None if invalid) and its problems."""
    try:
        text = raw.decode("utf-8")
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except UnicodeDecodeError:
        return None, [Problem(rel, 1, "not UTF-8 text")]
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        return None, [Problem(rel, (mark.line + 1) if mark else 1, f"not valid YAML: {getattr(error, 'problem', error)}")]
    if not isinstance(data, dict) or node is None:
        return None, [Problem(rel, 1, "a journey file is a mapping (id, name, reason, trigger, actions, ...)")]
    lines = _line_map(node)
    try:
        journey = Journey.model_validate(data)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            loc = _loc(item["loc"])
            where = ".".join(str(part) for part in loc) or "file"
            problems.append(Problem(rel, line_of(lines, loc), f"{where}: {item['msg'].removeprefix('Value error, ')}"))
        return None, problems
    expected = Path(rel).stem
    if journey.id != expected:
        return None, [Problem(rel, lines.get(("id",), 1), f"id: {journey.id!r} must match the file name {expected!r}")]
    version = hashlib.sha256(raw).hexdigest()[:16]
    return LoadedJourney(journey=journey, version=version, path=rel, lines=lines), []


def load(folder: Path) -> JourneySet:
    """Returns the valid journeys of a folder, the problems of all files and the folder's hash."""
    journeys: list[LoadedJourney] = []
    problems: list[Problem] = []
    for path in sorted(folder.glob("*.yml")) if folder.exists() else []:
        loaded, found = parse(path.read_bytes(), path.name)
        problems += found
        if loaded is not None:
            template_problems = [Problem(path.name, line_of(loaded.lines, loc), message)
                                 for loc, message in templates.check(loaded.journey)]
            problems += template_problems
            if not template_problems:
                journeys.append(loaded)
    return JourneySet(journeys=tuple(journeys), problems=tuple(problems), folder_hash=folder_hash(folder))
