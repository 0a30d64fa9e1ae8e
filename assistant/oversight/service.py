"""AI feature switches: an admin turns recommendations, journeys or knowledge answers off (and on) at once.

Every consumer asks ``is_enabled`` on each use, so a switch takes effect on the next message or run.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.db import utcnow
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


def set_enabled(*, db_session: Session, feature: str, enabled: bool, changed_by: str) -> FeatureSwitch:
    """Returns the switch after turning the feature on or off (who changed it is kept with it)."""
    _check(feature)
    switch = db_session.get(FeatureSwitch, feature) or FeatureSwitch(feature=feature)
    switch.enabled, switch.changed_by, switch.changed_at = enabled, changed_by, utcnow()
    db_session.add(switch)
    db_session.flush()
    log.info("AI feature %s turned %s", feature, "on" if enabled else "off")
    return switch


def set_all(*, db_session: Session, enabled: bool, changed_by: str) -> list[FeatureSwitch]:
    """Returns every switch after turning all AI features on or off at once."""
    return [set_enabled(db_session=db_session, feature=f, enabled=enabled, changed_by=changed_by) for f in FEATURES]
