"""The figures of the analytics page, API and CLI, for one period, against a baseline period.

Job-linked figures (application completion, funnel, offers, time-to-fill, NPS after an outcome) honour the
department and country filters; chat figures (containment, escalation, replies, ratings, knowledge answers)
are not tied to a job and are always for every conversation of the period.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.analytics import conversations as conversations_module
from assistant.analytics.models import ChatRating, NpsResponse
from assistant.analytics.stats import median, rate
from assistant.candidates.models import Application, JobFill, Offer, StageHistory
from assistant.candidates.stages import Stage
from assistant.db import as_utc, utcnow
from assistant.inbox.models import Ticket, TicketMessage
from assistant.jobs.models import BehaviourEvent, Job
from assistant.knowledge.models import AnswerLog
from assistant.settings import get_settings

SUMMARY_KEYS = ("containment_rate", "escalation_rate", "first_reply_minutes_p50", "reply_within_target_rate",
                "chat_rating", "nps", "application_completion_rate", "offer_acceptance_rate", "time_to_fill_days_p50")
FUNNEL_STAGES = [Stage.APPLIED, Stage.UNDER_REVIEW, Stage.ASSESSMENT, Stage.PHONE_SCREEN, Stage.INTERVIEWS,
                 Stage.FINAL_ROUND, Stage.OFFER, Stage.HIRED]


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime  # exclusive

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError("to: must be after from")

    @property
    def days(self) -> float:
        return (self.end - self.start).total_seconds() / 86400

    @property
    def last_day(self) -> date:
        """The last (inclusive) day of the period."""
        return (self.end - timedelta(microseconds=1)).date()

    def before(self) -> "Period":
        """Returns the period of the same length just before this one (the default baseline)."""
        return Period(self.start - (self.end - self.start), self.start)


def last_days(days: int, now: datetime | None = None) -> Period:
    """Returns the period of the last ``days`` days up to now."""
    end = now or utcnow()
    return Period(end - timedelta(days=days), end)


@dataclass(frozen=True)
class Filters:
    department: str | None = None
    country: str | None = None

    def jobs(self, query, job_column):
        """Returns the query restricted to jobs of the department and country (when set)."""
        if self.department or self.country:
            query = query.join(Job, Job.id == job_column)
            if self.department:
                query = query.where(Job.department == self.department)
            if self.country:
                query = query.where(Job.country == self.country)
        return query


@dataclass
class FunnelStage:
    stage: str
    applications: int
    share_of_applied: float | None
    time_in_stage_days_p50: float | None


@dataclass
class Figures:
    conversations: int = 0
    contained: int = 0
    abandoned: int = 0
    escalated: int = 0
    containment_rate: float | None = None
    abandoned_rate: float | None = None
    escalation_rate: float | None = None
    escalation_by_reason: dict[str, int] = field(default_factory=dict)
    tickets: int = 0
    first_reply_minutes_p50: float | None = None
    reply_within_target_rate: float | None = None
    knowledge_helpful: int = 0
    knowledge_not_helpful: int = 0
    knowledge_helpful_rate: float | None = None
    chat_ratings: int = 0
    chat_ratings_skipped: int = 0
    chat_rating: float | None = None
    chat_rating_comments: int = 0
    nps_responses: int = 0
    nps_comments: int = 0
    nps: float | None = None
    applications_started: int = 0
    applications_completed: int = 0
    application_completion_rate: float | None = None
    offers_accepted: int = 0
    offers_declined: int = 0
    offer_acceptance_rate: float | None = None
    jobs_filled: int = 0
    time_to_fill_days_p50: float | None = None
    funnel: list[FunnelStage] = field(default_factory=list)


def _in(column, period: Period):
    return (column >= period.start) & (column < period.end)


def _conversation_figures(figures: Figures, db_session: Session, period: Period, tracker_store_url: str) -> None:
    found = conversations_module.conversations(db_session=db_session, tracker_store_url=tracker_store_url,
                                               start=period.start, end=period.end)
    outcomes = Counter(c.outcome for c in found)
    figures.conversations = len(found)
    figures.contained, figures.abandoned, figures.escalated = outcomes["contained"], outcomes["abandoned"], outcomes["escalated"]
    figures.containment_rate = rate(figures.contained, figures.conversations)
    figures.abandoned_rate = rate(figures.abandoned, figures.conversations)
    figures.escalation_rate = rate(figures.escalated, figures.conversations)
    figures.escalation_by_reason = dict(Counter(c.reason for c in found if c.reason).most_common())


def _reply_figures(figures: Figures, db_session: Session, period: Period, now: datetime) -> None:
    first_reply = (select(TicketMessage.ticket_id, func.min(TicketMessage.created_at).label("at"))
                   .where(TicketMessage.author_type == "recruiter").group_by(TicketMessage.ticket_id).subquery())
    rows = db_session.execute(select(Ticket.created_at, Ticket.due_at, first_reply.c.at)
                              .outerjoin(first_reply, first_reply.c.ticket_id == Ticket.id)
                              .where(_in(Ticket.created_at, period))).all()
    figures.tickets = len(rows)
    minutes, within, counted = [], 0, 0
    for created, due, replied in rows:
        if replied is None:
            counted += as_utc(due) < now  # unanswered and overdue: missed; not yet due: not counted
            continue
        minutes.append((as_utc(replied) - as_utc(created)).total_seconds() / 60)
        counted += 1
        within += as_utc(replied) <= as_utc(due)
    figures.first_reply_minutes_p50 = median(minutes)
    figures.reply_within_target_rate = rate(within, counted)


def _feedback_figures(figures: Figures, db_session: Session, period: Period, filters: Filters) -> None:
    thumbs = Counter(db_session.scalars(select(AnswerLog.helpful).where(_in(AnswerLog.created_at, period),
                                                                        AnswerLog.helpful.is_not(None))))
    figures.knowledge_helpful, figures.knowledge_not_helpful = thumbs[True], thumbs[False]
    figures.knowledge_helpful_rate = rate(thumbs[True], thumbs[True] + thumbs[False])
    ratings = db_session.execute(select(ChatRating.rating, ChatRating.comment).where(_in(ChatRating.created_at, period))).all()
    given = [r for r, _ in ratings if r is not None]
    figures.chat_ratings, figures.chat_ratings_skipped = len(given), len(ratings) - len(given)
    figures.chat_rating = round(sum(given) / len(given), 2) if given else None
    figures.chat_rating_comments = sum(bool(comment) for _, comment in ratings)
    query = select(NpsResponse.score, NpsResponse.comment).where(_in(NpsResponse.created_at, period))
    if filters.department or filters.country:
        query = filters.jobs(query.join(Application, Application.id == NpsResponse.application_id), Application.job_id)
    answers = db_session.execute(query).all()
    scores = [score for score, _ in answers]
    figures.nps_responses = len(scores)
    figures.nps_comments = sum(bool(comment) for _, comment in answers)
    if scores:
        promoters, detractors = sum(s >= 9 for s in scores), sum(s <= 6 for s in scores)
        figures.nps = round(100 * (promoters - detractors) / len(scores), 1)


def _application_figures(figures: Figures, db_session: Session, period: Period, filters: Filters) -> None:
    """Applications started on the career site in the period, and how many of them were completed (any time after)."""
    def rows(kind: str, since: datetime, until: datetime | None):
        query = select(BehaviourEvent.candidate_id, BehaviourEvent.visitor_id, BehaviourEvent.job_id, BehaviourEvent.created_at)
        query = query.where(BehaviourEvent.kind == kind, BehaviourEvent.created_at >= since)
        if until is not None:
            query = query.where(BehaviourEvent.created_at < until)
        for candidate_id, visitor_id, job_id, at in db_session.execute(filters.jobs(query, BehaviourEvent.job_id)):
            yield (candidate_id or visitor_id, job_id), as_utc(at)

    starts: dict[tuple, datetime] = {}
    for key, at in rows("apply_started", period.start, period.end):
        starts[key] = min(at, starts.get(key, at))
    done = {key for key, at in rows("apply_completed", period.start, None) if key in starts and at >= starts[key]}
    figures.applications_started, figures.applications_completed = len(starts), len(done)
    figures.application_completion_rate = rate(len(done), len(starts))


def _offer_figures(figures: Figures, db_session: Session, period: Period, filters: Filters) -> None:
    query = filters.jobs(select(Offer.status).join(Application, Application.id == Offer.application_id)
                         .where(_in(Offer.decided_at, period), Offer.status.in_(["accepted", "declined"])), Application.job_id)
    decided = Counter(db_session.scalars(query))
    figures.offers_accepted, figures.offers_declined = decided["accepted"], decided["declined"]
    figures.offer_acceptance_rate = rate(decided["accepted"], decided["accepted"] + decided["declined"])
    fills = db_session.execute(filters.jobs(select(JobFill.opened_at, JobFill.filled_at).where(_in(JobFill.filled_at, period)),
                                            JobFill.job_id)).all()
    figures.jobs_filled = len(fills)
    figures.time_to_fill_days_p50 = median((as_utc(f) - as_utc(o)).total_seconds() / 86400 for o, f in fills)


def _funnel(figures: Figures, db_session: Session, period: Period, filters: Filters) -> None:
    applications = filters.jobs(select(Application.id).where(_in(Application.applied_at, period)), Application.job_id)
    history = db_session.execute(select(StageHistory.application_id, StageHistory.stage, StageHistory.changed_at)
                                 .where(StageHistory.application_id.in_(applications))
                                 .order_by(StageHistory.application_id, StageHistory.changed_at)).all()
    reached: dict[str, set[int]] = defaultdict(set)
    durations: dict[str, list[float]] = defaultdict(list)
    previous: tuple[int, str, datetime] | None = None
    for application_id, stage, changed_at in history:
        reached[stage].add(application_id)
        if previous and previous[0] == application_id:
            durations[previous[1]].append((as_utc(changed_at) - as_utc(previous[2])).total_seconds() / 86400)
        previous = (application_id, stage, changed_at)
    applied = len({a for a, _, _ in history})
    figures.funnel = [FunnelStage(stage.value, len(reached[stage]), rate(len(reached[stage]), applied),
                                  median(durations[stage])) for stage in FUNNEL_STAGES]


def figures(*, db_session: Session, period: Period, filters: Filters = Filters(), tracker_store_url: str | None = None,
            now: datetime | None = None) -> Figures:
    """Returns every figure for one period (see the module docstring for which honour the filters)."""
    result = Figures()
    _conversation_figures(result, db_session, period, tracker_store_url or get_settings().tracker_store_url)
    _reply_figures(result, db_session, period, now or utcnow())
    _feedback_figures(result, db_session, period, filters)
    _application_figures(result, db_session, period, filters)
    _offer_figures(result, db_session, period, filters)
    _funnel(result, db_session, period, filters)
    return result


def report(*, db_session: Session, period: Period, baseline: Period | None = None, filters: Filters = Filters(),
           tracker_store_url: str | None = None) -> dict:
    """Returns the figures of the period and of the baseline (default: the period just before), with changes."""
    baseline = baseline or period.before()
    current = asdict(figures(db_session=db_session, period=period, filters=filters, tracker_store_url=tracker_store_url))
    before = asdict(figures(db_session=db_session, period=baseline, filters=filters, tracker_store_url=tracker_store_url))
    change = {key: (None if current[key] is None or before[key] is None else round(current[key] - before[key], 4))
              for key in SUMMARY_KEYS}
    return {"period": _period_out(period), "baseline_period": _period_out(baseline),
            "filters": {"department": filters.department, "country": filters.country},
            "current": current, "baseline": before, "change": change}


def summary(report_: dict) -> dict:
    """Returns the headline figures of a report (the CLI's ``summary --json``): the SUMMARY_KEYS and periods."""
    return {"period": report_["period"], "baseline_period": report_["baseline_period"],
            **{key: report_["current"][key] for key in SUMMARY_KEYS},
            "baseline": {key: report_["baseline"][key] for key in SUMMARY_KEYS}}


def _period_out(period: Period) -> dict:
    return {"from": period.start.isoformat(), "to": period.end.isoformat()}


def period_between(start: date | None, end: date | None, *, default_days: int = 30, now: datetime | None = None) -> Period:
    """Returns the period from ``start`` to ``end`` inclusive (whole UTC days); by default the last default_days."""
    now = now or utcnow()
    stop = datetime.combine(end + timedelta(days=1), time(), tzinfo=timezone.utc) if end else now
    begin = datetime.combine(start, time(), tzinfo=timezone.utc) if start else stop - timedelta(days=default_days)
    return Period(begin, stop)
