"""Application stages and what they mean to a candidate.

Each stage has a plain-language explanation and a next step; typical durations come from
``settings.stage_typical_days``. The summary states facts from the record only: it never predicts or
invents a decision (offer, hired and not selected are reported only when the record says so).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from assistant.settings import get_settings


class Stage(StrEnum):
    APPLIED = "applied"
    UNDER_REVIEW = "under_review"
    ASSESSMENT = "assessment"
    PHONE_SCREEN = "phone_screen"
    INTERVIEWS = "interviews"
    FINAL_ROUND = "final_round"
    OFFER = "offer"
    HIRED = "hired"
    NOT_SELECTED = "not_selected"
    WITHDRAWN = "withdrawn"


ACTIVE_STAGES = frozenset(
    {Stage.APPLIED, Stage.UNDER_REVIEW, Stage.ASSESSMENT, Stage.PHONE_SCREEN, Stage.INTERVIEWS, Stage.FINAL_ROUND, Stage.OFFER}
)


@dataclass(frozen=True)
class StageInfo:
    label: str
    explanation: str
    next_step: str
    slow_reason: str = ""  # why a stage can take longer than usual (said kindly)


STAGES: dict[Stage, StageInfo] = {
    Stage.APPLIED: StageInfo(
        "Application received",
        "we have received your application and it is waiting for a recruiter to look at it",
        "a recruiter reviews it and gets in touch about the next step",
        "that happens when a role receives many applications",
    ),
    Stage.UNDER_REVIEW: StageInfo(
        "Under review",
        "a recruiter and the hiring team are reviewing your application",
        "if it is a match, you will be invited to an assessment or a phone screen",
        "that happens when the hiring team is reviewing many applications or is coordinating schedules",
    ),
    Stage.ASSESSMENT: StageInfo(
        "Assessment",
        "you have been invited to complete an assessment for this role",
        "once your assessment is complete and reviewed, the team will let you know the next step",
        "that happens when assessments are reviewed in batches",
    ),
    Stage.PHONE_SCREEN: StageInfo(
        "Phone screen",
        "you are at the phone-screen step: a short call with a recruiter about the role and your experience",
        "after the call, the recruiter shares the outcome and, if it fits, invites you to interviews",
        "that happens when the recruiter is arranging calls with several candidates",
    ),
    Stage.INTERVIEWS: StageInfo(
        "Interviews",
        "you are in the interview stage with the hiring team",
        "after your interviews the team meets to discuss, and the recruiter will update you",
        "that happens when several interviewers need to share their feedback",
    ),
    Stage.FINAL_ROUND: StageInfo(
        "Final round",
        "you are in the final interview round",
        "after the final round the hiring team makes a decision, and the recruiter will contact you",
        "that happens when the team is finishing interviews with other candidates",
    ),
    Stage.OFFER: StageInfo(
        "Offer",
        "the team has made you an offer",
        "your recruiter will go through the details with you and answer any questions",
        "that happens when the offer details are being finalised",
    ),
    Stage.HIRED: StageInfo(
        "Hired",
        "you have accepted an offer. Welcome aboard!",
        "the onboarding team will contact you about your first day",
    ),
    Stage.NOT_SELECTED: StageInfo(
        "Not selected",
        "the team decided not to move forward with your application this time",
        "you are welcome to apply for other roles, and a recruiter can talk it through with you",
    ),
    Stage.WITHDRAWN: StageInfo(
        "Withdrawn",
        "this application has been withdrawn",
        "you are welcome to apply again or for other roles at any time",
    ),
}


def info(stage: str) -> StageInfo:
    """Returns what a stage means for the candidate; raises ValueError for an unknown stage."""
    return STAGES[Stage(stage)]


def is_active(stage: str) -> bool:
    """Returns True for stages in which the application is still in progress (it can be withdrawn)."""
    return stage in ACTIVE_STAGES


def typical_days(stage: str) -> int | None:
    """Returns the configured typical number of days in a stage (None for final stages)."""
    return get_settings().stage_typical_days.get(stage) if is_active(stage) else None


def days_in_stage(stage_changed_at: datetime, *, now: datetime) -> int:
    """Returns whole days since the stage last changed."""
    return max(0, (now - stage_changed_at).days)


def _days(days: int) -> str:
    return "today" if days == 0 else ("1 day" if days == 1 else f"{days} days")


def summary(*, job_title: str, stage: str, stage_changed_at: datetime, now: datetime) -> str:
    """Returns a candidate-facing sentence block: the stage, how long it has been, whether that is long."""
    stage_info = info(stage)
    days = days_in_stage(stage_changed_at, now=now)
    usual = typical_days(stage)
    lines = [f"**{job_title}**: {stage_info.label}. This means {stage_info.explanation}."]
    if usual is not None:
        since = "It moved to this stage today." if days == 0 else f"It has been at this stage for {_days(days)}."
        if days > usual:
            since += f" That is a little longer than usual (typically about {_days(usual)}); {stage_info.slow_reason}."
        else:
            since += f" That is within the usual time (about {_days(usual)})."
        lines.append(since)
    lines.append(f"Next step: {stage_info.next_step}.")
    return " ".join(lines)
