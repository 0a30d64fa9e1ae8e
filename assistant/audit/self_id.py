"""Voluntary self-identification (sex, race/ethnicity), stored apart from the candidate record.

Only the bias audit (assistant.audit.bias) reads it; search, ranking, journeys and the chat never import
this module. Categories follow the EEO-1 ones that NYC Local Law 144 audits use, each with
"declined to answer"; a candidate without a row is "unknown".
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.audit import service as audit_service
from assistant.audit.models import SelfIdentification
from assistant.db import utcnow

DECLINED = "declined"
UNKNOWN = "unknown"
SEXES = ("female", "male", "nonbinary", DECLINED)
RACES = ("hispanic_or_latino", "white", "black_or_african_american", "native_hawaiian_or_pacific_islander",
         "asian", "american_indian_or_alaska_native", "two_or_more_races", DECLINED)


def get(*, db_session: Session, candidate_id: int) -> SelfIdentification | None:
    """Returns the candidate's self-identification, or None (unknown)."""
    return db_session.scalar(select(SelfIdentification).where(SelfIdentification.candidate_id == candidate_id))


def record(*, db_session: Session, candidate_id: int, sex: str, race_ethnicity: str,
           actor: audit_service.Actor) -> tuple[SelfIdentification, bool]:
    """Returns the candidate's self-identification after storing it, and whether anything changed."""
    if sex not in SEXES:
        raise ValueError(f"sex: must be one of {', '.join(SEXES)}")
    if race_ethnicity not in RACES:
        raise ValueError(f"race_ethnicity: must be one of {', '.join(RACES)}")
    entry = get(db_session=db_session, candidate_id=candidate_id)
    if entry is not None and (entry.sex, entry.race_ethnicity) == (sex, race_ethnicity):
        return entry, False
    if entry is None:
        entry = SelfIdentification(candidate_id=candidate_id, sex=sex, race_ethnicity=race_ethnicity)
        db_session.add(entry)
    entry.sex, entry.race_ethnicity, entry.recorded_at = sex, race_ethnicity, utcnow()
    db_session.flush()
    audit_service.record(db_session=db_session, actor=actor, action="update", entity="self_identification",
                         candidate_id=candidate_id, fields=["sex", "race_ethnicity"])
    return entry, True


def categories(*, db_session: Session) -> dict[int, tuple[str, str]]:
    """Returns (sex, race/ethnicity) per candidate id that self-identified (for the bias audit only)."""
    rows = db_session.execute(select(SelfIdentification.candidate_id, SelfIdentification.sex,
                                     SelfIdentification.race_ethnicity))
    return {candidate_id: (sex, race) for candidate_id, sex, race in rows}
