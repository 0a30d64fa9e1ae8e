"""Data-subject rights: export everything held about one candidate, and erase it (GDPR Art. 15, 17, 20).

What belongs to a candidate is found from the schema, not from a hand-kept list, so tables added later are
covered: the candidate row; every row pointing at it through a foreign key (and rows pointing at those,
e.g. stage history and ticket messages); rows with a ``candidate_id`` column that is not a foreign key
(the audit log); rows of the candidate's conversations (any ``conversation_id`` column) and browser ids
(any ``visitor_id`` column); rows holding the candidate's e-mail address (one-time codes, a ticket's reply address);
and Rasa's tracker store events of those conversations, plus any conversation in which the e-mail address
was typed. Erasure deletes all of it (children first); of the audit log only one entry stays: that an
erasure happened, by whom, and which tables it touched (no id of the person).
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, delete, inspect, or_, select, tuple_
from sqlalchemy.orm import Session

from assistant.analytics.conversations import events_table
from assistant.audit import service as audit_service
from assistant.candidates import service as candidates_service
from assistant.db import Base, import_all_models, make_engine, utcnow

log = logging.getLogger(__name__)
CONVERSATION_COLUMNS = ("conversation_id",)
VISITOR_COLUMNS = ("visitor_id",)
EMAIL_COLUMNS = {("one_time_code", "email"), ("ticket", "candidate_email")}  # not staff accounts' e-mail
CHUNK = 500


@dataclass
class Holdings:
    """Everything held about one candidate: rows per table (keyed by primary key) and tracker conversations."""

    candidate_id: int
    external_id: str
    rows: dict[str, dict[tuple, dict[str, Any]]] = field(default_factory=lambda: defaultdict(dict))
    conversations: dict[str, list[dict]] = field(default_factory=dict)

    def values(self, table: str, column: str) -> set:
        return {row[column] for row in self.rows.get(table, {}).values() if row.get(column) is not None}

    def all_values(self, column: str) -> set:
        return {row[column] for rows in self.rows.values() for row in rows.values() if row.get(column) is not None}


def _key(table: Table, row: dict) -> tuple:
    return tuple(row[c.name] for c in table.primary_key.columns)


def _add(holdings: Holdings, table: Table, rows) -> bool:
    """Adds rows; returns whether any was new."""
    found = holdings.rows[table.name]
    new = False
    for row in rows:
        mapping = dict(row._mapping)
        key = _key(table, mapping)
        if key not in found:
            found[key], new = mapping, True
    return new


def _select_in(db: Session, table: Table, column, values: set) -> list:
    values = sorted(values, key=str)
    rows = []
    for start in range(0, len(values), CHUNK):
        rows += db.execute(select(table).where(column.in_(values[start:start + CHUNK]))).all()
    return rows


def collect(*, db_session: Session, external_id: str, tracker_store_url: str | None = None) -> Holdings:
    """Returns everything held about the candidate with this external id (raises candidates NotFound)."""
    import_all_models()
    candidate = candidates_service.get_by_external_id_or_raise(db_session=db_session, external_id=external_id)
    holdings = Holdings(candidate.id, candidate.external_id)
    tables = Base.metadata.sorted_tables
    candidate_table = Base.metadata.tables["candidate"]
    _add(holdings, candidate_table, db_session.execute(select(candidate_table).where(candidate_table.c.id == candidate.id)))
    emails = {candidate.email}
    changed = True
    while changed:  # until no rule finds a new row
        changed = False
        for table in tables:
            for column in table.columns:
                values: set = set()
                for fk in column.foreign_keys:
                    values |= holdings.values(fk.column.table.name, fk.column.name)
                if column.name == "candidate_id" and not column.foreign_keys:
                    values.add(candidate.id)
                if column.name in CONVERSATION_COLUMNS or column.name in VISITOR_COLUMNS:
                    values |= holdings.all_values(column.name)
                if (table.name, column.name) in EMAIL_COLUMNS:
                    values |= emails
                if values:
                    changed |= _add(holdings, table, _select_in(db_session, table, column, values))
    if tracker_store_url:
        holdings.conversations = _tracker_events(tracker_store_url, holdings.all_values("conversation_id"), emails)
    return holdings


def _tracker_events(tracker_store_url: str, conversation_ids: set[str], emails: set[str]) -> dict[str, list[dict]]:
    engine = make_engine(tracker_store_url)
    try:
        if not inspect(engine).has_table("events"):
            return {}
        e = events_table.c
        with engine.connect() as connection:
            typed = set(connection.scalars(select(e.sender_id).distinct().where(
                or_(*[e.data.contains(email, autoescape=True) for email in emails]))))
            senders = sorted(conversation_ids | typed)
            result: dict[str, list[dict]] = defaultdict(list)
            for start in range(0, len(senders), CHUNK):
                for sender, data in connection.execute(select(e.sender_id, e.data).where(
                        e.sender_id.in_(senders[start:start + CHUNK])).order_by(e.sender_id, e.id)):
                    result[sender].append(json.loads(data) if data else {})
        return dict(result)
    finally:
        engine.dispose()


def export(*, db_session: Session, external_id: str, actor: audit_service.Actor,
           tracker_store_url: str | None = None) -> dict:
    """Returns everything held about the candidate as a JSON-ready dict (the export is audited)."""
    holdings = collect(db_session=db_session, external_id=external_id, tracker_store_url=tracker_store_url)
    tables = {name: [_jsonable(row) for row in rows.values()] for name, rows in sorted(holdings.rows.items()) if rows}
    audit_service.record(db_session=db_session, actor=actor, action="export", entity="candidate", entity_id=external_id,
                         candidate_id=holdings.candidate_id, fields=list(tables) + (["rasa_tracker"] if holdings.conversations else []))
    return {"candidate_external_id": external_id, "exported_at": utcnow().isoformat(), "tables": tables,
            "conversations": holdings.conversations}


def _jsonable(row: dict) -> dict:
    return {key: value.isoformat() if hasattr(value, "isoformat") else value for key, value in row.items()}


@dataclass(frozen=True)
class Erasure:
    rows: dict[str, int]  # rows deleted per table
    conversations: int  # Rasa conversations deleted from the tracker store


def erase(*, db_session: Session, external_id: str, actor: audit_service.Actor,
          tracker_store_url: str | None = None) -> Erasure:
    """Deletes everything held about the candidate (app database and tracker store); returns the counts.

    The caller commits. The tracker store is cleared first, so a failure there leaves the database whole."""
    holdings = collect(db_session=db_session, external_id=external_id, tracker_store_url=tracker_store_url)
    conversations = set(holdings.conversations) | holdings.all_values("conversation_id")
    if tracker_store_url and conversations:
        _delete_conversations(tracker_store_url, conversations)
    counts: dict[str, int] = {}
    for table in reversed(Base.metadata.sorted_tables):  # children before parents
        found = holdings.rows.get(table.name)
        if not found:
            continue
        pk = list(table.primary_key.columns)
        keys = list(found)
        for start in range(0, len(keys), CHUNK):
            chunk = keys[start:start + CHUNK]
            condition = pk[0].in_([k[0] for k in chunk]) if len(pk) == 1 else tuple_(*pk).in_(chunk)
            db_session.execute(delete(table).where(condition), execution_options={"synchronize_session": False})
        counts[table.name] = len(keys)
    db_session.expire_all()
    audit_service.record(db_session=db_session, actor=actor, action="erase", entity="candidate",
                         fields=sorted(counts) + (["rasa_tracker"] if conversations else []))
    log.warning("erased a candidate: %d rows in %d tables, %d conversations", sum(counts.values()), len(counts),
                len(holdings.conversations))
    return Erasure(counts, len(holdings.conversations))


def _delete_conversations(tracker_store_url: str, senders: set[str]) -> None:
    engine = make_engine(tracker_store_url)
    try:
        if not inspect(engine).has_table("events"):
            return
        ordered = sorted(senders)
        with engine.begin() as connection:
            for start in range(0, len(ordered), CHUNK):
                connection.execute(delete(events_table).where(events_table.c.sender_id.in_(ordered[start:start + CHUNK])))
    finally:
        engine.dispose()
