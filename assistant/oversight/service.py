"""AI feature switches: an admin turns recommendations, journeys or knowledge answers off (and on) at once.

Every consumer asks ``is_enabled`` on each use, so a switch takes effect on the next message or run.
``feature_switch`` keeps only the latest state; each change (who, when, feature, on or off, the reason if given) is an audit
log entry (entity ``feature_switch``, action ``turn_on``/``turn_off``), read back by ``history``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.audit import service as audit_service
from assistant.audit.models import AuditEntry
from assistant.db import as_utc, utcnow
from assistant.inbox.models import StaffUser
from assistant.oversight.models import FeatureSwitch

log = logging.getLogger(__name__)
FEATURES: dict[str, str] = {
    "recommendations": "Job recommendations in the chat and job-alert e-mails",
    "journeys": "Automated journey messages (e-mails, chat messages, tasks, webhooks)",
    "knowledge_answers": "Answers from the knowledge base in the chat",
}


class UnknownFeature(ValueError):
    """The feature name is not one of FEATURES."""


def _check(feature: str) -> None:
    if feature not in FEATURES:
        raise UnknownFeature(f"feature: must be one of {', '.join(FEATURES)}")


def is_enabled(*, db_session: Session, feature: str) -> bool:
    """Returns whether this AI feature is on (True unless an admin turned it off)."""
    _check(feature)
    switch = db_session.get(FeatureSwitch, feature)
    return True if switch is None else switch.enabled


def switches(*, db_session: Session) -> dict[str, FeatureSwitch | None]:
    """Returns every feature with its stored switch (None: never changed, so on)."""
    stored = {s.feature: s for s in db_session.scalars(select(FeatureSwitch))}
    return {feature: stored.get(feature) for feature in FEATURES}


def set_enabled(*, db_session: Session, feature: str, enabled: bool, changed_by: str,
                actor: audit_service.Actor | None = None, reason: str = "") -> FeatureSwitch:
    """Returns the switch after turning the feature on or off (who changed it is kept with it).

    A change of state is audited as ``actor`` (default: a system actor named ``changed_by``); turning on a
    feature that is on changes nothing and is not audited."""
    _check(feature)
    switch = db_session.get(FeatureSwitch, feature)
    was = True if switch is None else switch.enabled
    switch = switch or FeatureSwitch(feature=feature)
    switch.enabled, switch.changed_by, switch.changed_at = enabled, changed_by, utcnow()
    db_session.add(switch)
    db_session.flush()
    if was != enabled:
        audit_service.record(db_session=db_session, actor=actor or audit_service.Actor("system", changed_by, "cli"),
                             action="turn_on" if enabled else "turn_off", entity="feature_switch", entity_id=feature,
                             fields=["enabled"], note=reason)
    log.info("AI feature %s turned %s", feature, "on" if enabled else "off")
    return switch


def set_all(*, db_session: Session, enabled: bool, changed_by: str,
            actor: audit_service.Actor | None = None, reason: str = "") -> list[FeatureSwitch]:
    """Returns every switch after turning all AI features on or off at once."""
    return [set_enabled(db_session=db_session, feature=f, enabled=enabled, changed_by=changed_by, actor=actor,
                        reason=reason) for f in FEATURES]


@dataclass(frozen=True)
class SwitchChange:
    at: datetime
    feature: str
    enabled: bool
    by: str  # a staff member's e-mail address, else the actor's id ("cli")
    channel: str
    reason: str  # masked; "" when none was given


def history(*, db_session: Session, limit: int = 100) -> list[SwitchChange]:
    """Returns the latest changes of the AI feature switches from the audit log, newest first."""
    entries = db_session.scalars(select(AuditEntry).where(AuditEntry.entity == "feature_switch")
                                 .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)).all()
    staff = {e.actor_id for e in entries if e.actor_type == "staff" and e.actor_id.isdigit()}
    emails = {str(id_): email for id_, email in db_session.execute(
        select(StaffUser.id, StaffUser.email).where(StaffUser.id.in_([int(i) for i in staff])))} if staff else {}
    return [SwitchChange(as_utc(e.at), e.entity_id or "", e.action == "turn_on",
                         emails.get(e.actor_id, e.actor_id) if e.actor_type == "staff" else e.actor_id, e.channel,
                         e.note or "") for e in entries]
