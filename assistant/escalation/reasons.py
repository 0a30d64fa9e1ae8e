"""Escalation reasons: the intents that hand a conversation to a human, with priority and wording."""

from __future__ import annotations

from dataclasses import dataclass

PRIORITIES = ("urgent", "high", "normal")  # most pressing first
REPEATED_FAILURE = "repeated_failure"


@dataclass(frozen=True)
class Reason:
    name: str
    label: str  # shown to recruiters
    priority: str
    team: str  # who picks it up, as the candidate is told


REASONS: dict[str, Reason] = {
    reason.name: reason
    for reason in (
        Reason("distress", "Emotional distress", "urgent", "a member of our recruiting team"),
        Reason("report_discrimination", "Discrimination or harassment report", "high", "a senior member of our people team"),
        Reason("legal_threat", "Legal matter", "high", "a senior recruiter"),
        Reason("request_accommodation", "Accommodation request", "high", "a recruiter trained in accommodations"),
        Reason("appeal_rejection", "Appeal of a decision", "normal", "a recruiter"),
        Reason("negotiate_compensation", "Offer or compensation", "normal", "your recruiter"),
        Reason("immigration_case", "Personal immigration case", "normal", "a recruiter who handles relocation and visas"),
        Reason("data_request", "Personal-data request", "normal", "our privacy team"),
        Reason("request_human", "Asked for a person", "normal", "a recruiter"),
        Reason("frustration", "Frustrated candidate", "normal", "a recruiter"),
        Reason(REPEATED_FAILURE, "Assistant could not answer twice", "normal", "a recruiter"),
    )
}

ESCALATION_INTENTS = frozenset(REASONS) - {REPEATED_FAILURE}


def get_reason(name: str | None) -> Reason:
    """Returns the reason for an intent name; anything else counts as a request for a person."""
    return REASONS.get(name or "", REASONS["request_human"])


def priority_rank(priority: str) -> int:
    """Returns the sort rank of a priority (0 = most pressing); unknown priorities sort last."""
    return PRIORITIES.index(priority) if priority in PRIORITIES else len(PRIORITIES)
