"""Bias audit in the shape of NYC Local Law 144 audits: rates and impact ratios by sex, race/ethnicity and both.

For each output, every candidate in its population is either selected or not (or, for scored outputs, scores
above the population's median or not). Per category: the count, how many were selected, the selection (or
scoring) rate and the impact ratio (the rate divided by the highest rate of a category that is not
excludable). Categories under 2% of the candidates with a known category are shown and marked excludable;
candidates who did not self-identify, or declined, are counted as unknown and left out of the rates. A
non-excludable category with an impact ratio under 0.8 (the four-fifths rule) is flagged.

The assistant's own outputs: jobs recommended (scoring rate: mean score above the median), recommendations
clicked, job alerts received, automated journey messages sent, and recruiter replies within target. The
employer's process, labelled as such: the ATS funnel stages reached by the candidates who applied.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime
from statistics import median

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from assistant.audit import self_id
from assistant.audit.self_id import DECLINED
from assistant.candidates.models import Application, Candidate, StageHistory
from assistant.db import as_utc
from assistant.inbox.models import Ticket, TicketMessage
from assistant.jobs.models import BehaviourEvent, JobAlertSent, RecommendationLog

EXCLUDABLE_SHARE = 0.02
FOUR_FIFTHS = 0.8
CLICK_KINDS = ("job_viewed", "alert_clicked", "apply_started")
ATS_STAGES = ("under_review", "assessment", "phone_screen", "interviews", "final_round", "offer", "hired")


@dataclass
class CategoryRow:
    category: str
    count: int
    selected: int
    selection_rate: float | None
    impact_ratio: float | None
    excludable: bool
    flagged: bool


@dataclass
class OutputAudit:
    output: str
    label: str
    source: str  # assistant|employer
    measure: str  # selection_rate|scoring_rate
    total: int
    unknown: int
    sex: list[CategoryRow] = field(default_factory=list)
    race_ethnicity: list[CategoryRow] = field(default_factory=list)
    intersectional: list[CategoryRow] = field(default_factory=list)

    @property
    def flagged(self) -> list[str]:
        return [f"{kind}:{row.category}" for kind in ("sex", "race_ethnicity", "intersectional")
                for row in getattr(self, kind) if row.flagged]


def _rows(outcomes: dict[int, bool], groups: dict[int, str]) -> list[CategoryRow]:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for candidate_id, selected in outcomes.items():
        group = groups.get(candidate_id)
        if group is None:
            continue
        counts[group][0] += 1
        counts[group][1] += selected
    known = sum(n for n, _ in counts.values())
    rates = {g: s / n for g, (n, s) in counts.items() if n}
    excludable = {g for g, (n, _) in counts.items() if n < EXCLUDABLE_SHARE * known}
    best = max((r for g, r in rates.items() if g not in excludable), default=0.0)
    rows = []
    for group in sorted(counts, key=lambda g: (-rates.get(g, 0.0), g)):
        n, s = counts[group]
        ratio = round(rates[group] / best, 4) if best else None
        rows.append(CategoryRow(group, n, s, round(rates[group], 4), ratio, group in excludable,
                                ratio is not None and ratio < FOUR_FIFTHS and group not in excludable))
    return rows


def audit_output(*, output: str, label: str, source: str, measure: str, outcomes: dict[int, bool],
                 categories: dict[int, tuple[str, str]]) -> OutputAudit:
    """Returns one output's audit from each candidate's outcome (selected or scored above the median)."""
    sexes = {c: s for c, (s, _) in categories.items() if s != DECLINED}
    races = {c: r for c, (_, r) in categories.items() if r != DECLINED}
    both = {c: f"{s} × {r}" for c, (s, r) in categories.items() if DECLINED not in (s, r)}
    return OutputAudit(output=output, label=label, source=source, measure=measure, total=len(outcomes),
                       unknown=sum(1 for c in outcomes if c not in sexes and c not in races),
                       sex=_rows(outcomes, sexes), race_ethnicity=_rows(outcomes, races), intersectional=_rows(outcomes, both))


def above_median(values: dict[int, float]) -> dict[int, bool]:
    """Returns, per candidate, whether their score is above the median of everyone's (LL144 scoring rate)."""
    if not values:
        return {}
    middle = median(values.values())
    return {c: v > middle for c, v in values.items()}


def _in(column, start: datetime, end: datetime):
    return (column >= start) & (column < end)


def _recommended(db: Session, start: datetime, end: datetime) -> dict[int, bool]:
    scores: dict[int, list[float]] = defaultdict(list)
    for candidate_id, score in db.execute(select(RecommendationLog.candidate_id, RecommendationLog.score).where(
            RecommendationLog.candidate_id.is_not(None), _in(RecommendationLog.created_at, start, end))):
        scores[candidate_id].append(score)
    return above_median({c: sum(s) / len(s) for c, s in scores.items()})


def _clicked(db: Session, start: datetime, end: datetime) -> dict[int, bool]:
    shown: dict[int, dict[int, datetime]] = defaultdict(dict)
    for candidate_id, job_id, at in db.execute(select(RecommendationLog.candidate_id, RecommendationLog.job_id,
                                                      RecommendationLog.created_at).where(
            RecommendationLog.candidate_id.is_not(None), _in(RecommendationLog.created_at, start, end))):
        first = shown[candidate_id].get(job_id)
        shown[candidate_id][job_id] = min(as_utc(at), first) if first else as_utc(at)
    outcomes = {c: False for c in shown}
    for candidate_id, job_id, at in db.execute(select(BehaviourEvent.candidate_id, BehaviourEvent.job_id,
                                                      BehaviourEvent.created_at).where(
            BehaviourEvent.candidate_id.in_(list(shown)), BehaviourEvent.kind.in_(CLICK_KINDS),
            BehaviourEvent.created_at >= start)):
        when = shown[candidate_id].get(job_id)
        if when is not None and as_utc(at) >= when:
            outcomes[candidate_id] = True
    return outcomes


def _alerts(db: Session, start: datetime, end: datetime) -> dict[int, bool]:
    subscribed = set(db.scalars(select(Candidate.id).where(Candidate.job_alerts.is_(True))))
    received = set(db.scalars(select(JobAlertSent.candidate_id).where(_in(JobAlertSent.sent_at, start, end))))
    return {c: c in received for c in subscribed | received}


def _journey_messages(db: Session, start: datetime, end: datetime) -> dict[int, bool]:
    from assistant.analytics.attribution import journey_run_table

    if not inspect(db.connection()).has_table("journey_run"):
        return {}
    r = journey_run_table.c
    outcomes: dict[int, bool] = {}
    for candidate_id, status in db.execute(select(r.candidate_id, r.status).where(
            r.arm == "treated", r.decided_at.is_not(None), _in(r.decided_at, start, end))):
        outcomes[candidate_id] = outcomes.get(candidate_id, False) or status == "sent"
    return outcomes


def _replies(db: Session, start: datetime, end: datetime) -> dict[int, bool]:
    first: dict[int, datetime] = {}
    for ticket_id, at in db.execute(select(TicketMessage.ticket_id, TicketMessage.created_at).where(
            TicketMessage.author_type == "recruiter")):
        first[ticket_id] = min(as_utc(at), first.get(ticket_id, as_utc(at)))
    outcomes: dict[int, bool] = {}
    for ticket_id, candidate_id, due in db.execute(select(Ticket.id, Ticket.candidate_id, Ticket.due_at).where(
            Ticket.candidate_id.is_not(None), _in(Ticket.created_at, start, end))):
        within = ticket_id in first and first[ticket_id] <= as_utc(due)
        outcomes[candidate_id] = outcomes.get(candidate_id, True) and within
    return outcomes


def _stages(db: Session, start: datetime, end: datetime) -> dict[str, dict[int, bool]]:
    applied = dict(db.execute(select(Application.id, Application.candidate_id).where(_in(Application.applied_at, start, end))).all())
    reached: dict[str, set[int]] = defaultdict(set)
    for application_id, stage in db.execute(select(StageHistory.application_id, StageHistory.stage).where(
            StageHistory.application_id.in_(list(applied)))):
        reached[stage].add(applied[application_id])
    people = set(applied.values())
    return {stage: {c: c in reached[stage] for c in people} for stage in ATS_STAGES}


ASSISTANT_OUTPUTS = (
    ("recommended", "Jobs recommended (mean score above the median)", "scoring_rate", _recommended),
    ("clicked", "Recommended jobs clicked", "selection_rate", _clicked),
    ("job_alerts", "Job alerts received (subscribed candidates)", "selection_rate", _alerts),
    ("automated_messages", "Automated journey messages sent (treated arm)", "selection_rate", _journey_messages),
    ("recruiter_reply", "Recruiter's reply within target (escalated chats)", "selection_rate", _replies),
)


def report(*, db_session: Session, start: datetime, end: datetime) -> dict:
    """Returns the audit of every output for [start, end): the assistant's, then the employer's ATS stages."""
    categories = self_id.categories(db_session=db_session)
    outputs = [audit_output(output=name, label=label, source="assistant", measure=measure,
                            outcomes=compute(db_session, start, end), categories=categories)
               for name, label, measure, compute in ASSISTANT_OUTPUTS]
    for stage, outcomes in _stages(db_session, start, end).items():
        outputs.append(audit_output(output=f"ats_stage:{stage}", label=f"Reached {stage.replace('_', ' ')} (employer's process)",
                                    source="employer", measure="selection_rate", outcomes=outcomes, categories=categories))
    return {"period": {"from": start.isoformat(), "to": end.isoformat()},
            "method": {"excludable_share": EXCLUDABLE_SHARE, "flag_below_impact_ratio": FOUR_FIFTHS,
                       "unknown": f"no self-identification, or {DECLINED}", "categories": {"sex": self_id.SEXES,
                                                                                        "race_ethnicity": self_id.RACES}},
            "outputs": [asdict(o) | {"flagged": o.flagged} for o in outputs]}



def printable(report: dict) -> str:
    """Returns the report as plain text in the shape published LL144 summaries use (one table per output)."""
    lines = [f"Bias audit, {report['period']['from'][:10]} to {report['period']['to'][:10]}",
             f"Impact ratio = category rate / highest rate of a category that is not excludable; flagged below "
             f"{FOUR_FIFTHS}; categories under {EXCLUDABLE_SHARE:.0%} of the data are excludable (marked *).", ""]
    for output in report["outputs"]:
        source = "the employer's process" if output["source"] == "employer" else "the assistant"
        rate_name = "Scoring rate" if output["measure"] == "scoring_rate" else "Selection rate"
        lines.append(f"{output['label']} — {source}; {output['total']} candidates, {output['unknown']} unknown")
        for kind, title in (("sex", "Sex"), ("race_ethnicity", "Race/ethnicity"), ("intersectional", "Intersectional")):
            lines.append(f"  {title:<58} {'Count':>6} {rate_name:>15} {'Impact ratio':>13}")
            for row in output[kind]:
                name = row["category"] + (" *" if row["excludable"] else "") + ("  FLAGGED" if row["flagged"] else "")
                ratio = "–" if row["impact_ratio"] is None else f"{row['impact_ratio']:.3f}"
                lines.append(f"    {name:<56} {row['count']:>6} {row['selection_rate']:>15.3f} {ratio:>13}")
        lines.append("")
    return "\n".join(lines)
