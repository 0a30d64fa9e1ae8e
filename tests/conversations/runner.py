"""Golden conversations: YAML scripts of what a candidate types and every message the bot must answer.

A file (`tests/conversations/<concern>.yml`) holds `conversations:`, each with a `name`, who is chatting
(`as:`), optional `setup:` steps and `turns:`. Every turn lists **all** the bot's messages in order; a
missing, different or extra message fails the conversation. See tests/conversations/README.md.

The runner behaves like the widget: it sends the career site's signed candidate token (`as: C-1001`) or a
visitor id (`as: visitor`) in each message's metadata. A demo candidate named in a conversation (`as:` or
`{email:C-1003}`) is copied for that conversation, so conversations never share limits or changes.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
OPENINGS_FILE = HERE / "_openings.yml"



@dataclass
class Conversation:
    file: str
    name: str
    who: str  # anonymous | visitor | a candidate's external id
    turns: list[dict]
    setup: list[dict] = field(default_factory=list)
    known_defect: str = ""  # a defect the conversation shows and nobody has fixed yet: must fail (strict xfail)

    @property
    def id(self) -> str:
        return f"{self.file}::{self.name}"


def load(directory: Path = HERE) -> list[Conversation]:
    """Returns every conversation of every file, with openings spliced in and phrasing lists expanded."""
    openings = yaml.safe_load(OPENINGS_FILE.read_text()) if OPENINGS_FILE.exists() else {}
    conversations = []
    for path in sorted(directory.glob("*.yml")):
        if path.name.startswith("_"):
            continue
        data = yaml.safe_load(path.read_text()) or {}
        for raw in data.get("conversations", []):
            turns = []
            for turn in raw["turns"]:
                if "opening" in turn:
                    turns.extend(openings[turn["opening"]])
                else:
                    turns.append(turn)
            prefix = "" if directory == HERE else f"{directory.name}/"
            for suffix, expanded in _phrasings(turns):
                conversations.append(Conversation(file=prefix + path.stem, name=raw["name"] + suffix,
                                                  who=str(raw.get("as", "anonymous")),
                                                  turns=expanded, setup=raw.get("setup", []),
                                                  known_defect=raw.get("known_defect", "")))
    return conversations


def _phrasings(turns: list[dict]) -> list[tuple[str, list[dict]]]:
    """A turn whose `me` is a list stands for several phrasings: one conversation per phrasing."""
    for index, turn in enumerate(turns):
        if isinstance(turn.get("me"), list):
            return [(f" [{phrase}]", [*turns[:index], {**turn, "me": phrase}, *turns[index + 1:]])
                    for phrase in turn["me"]]
    return [("", turns)]


# --- Playing --------------------------------------------------------------------------------------------


class Mismatch(AssertionError):
    pass


class Player:
    """Plays one conversation through the real stack and checks every turn."""

    def __init__(self, stack, conversation: Conversation) -> None:
        self.stack = stack
        self.conversation = conversation
        self.sender = f"golden-{uuid.uuid4().hex[:12]}"
        self.visitor = _signed_visitor()  # as the career site gets it from POST /api/visitor
        self.email: str | None = None  # the last address the candidate typed (for {code})
        self.transcript: list[str] = []
        self.clones: dict[str, tuple[str, str]] = {}  # demo id -> (clone's external id, clone's e-mail)

    def clone(self, external_id: str) -> tuple[str, str]:
        """Returns this conversation's own copy of a demo candidate (external id, e-mail), made on first use,
        so conversations never share one-time-code limits or see each other's changes."""
        if external_id not in self.clones:
            self.clones[external_id] = clone_candidate(external_id, tag=self.sender[-8:])
        return self.clones[external_id]

    def metadata(self) -> dict[str, Any]:
        from assistant.identity import service as identity_service

        who = self.conversation.who
        if who == "anonymous":
            return {}
        if who == "visitor":
            return {"visitor_id": self.visitor}
        return {"visitor_id": self.visitor,
                "candidate_token": identity_service.issue_token(candidate_external_id=self.clone(who)[0])}

    def play(self) -> None:
        for step in self.conversation.setup:
            self._setup(step)
        for number, turn in enumerate(self.conversation.turns, 1):
            for step in turn.get("before", []):
                self._setup(step)
            said = turn["me"]
            if isinstance(said, dict):  # {repeat: "text ", times: N}: a long message without a long file
                said = said["repeat"] * int(said["times"])
            text = self._fill(str(said))
            replies = self.stack.chat(self.sender, text, self.metadata())
            self.transcript.append(f"  me: {text[:120]}")
            self.transcript += [f"  bot: {_describe(reply)}" for reply in replies]
            try:
                check_replies(turn.get("bot", []), replies)
                if "slots" in turn:
                    self._check_slots(turn["slots"])
                if "ticket" in turn:
                    self._check_ticket(turn["ticket"])
            except Mismatch as error:
                raise Mismatch(f"{self.conversation.id}, turn {number} ({text[:80]!r}): {error}\n"
                               "transcript so far:\n" + "\n".join(self.transcript)) from None

    # Placeholders in what the candidate types.
    def _fill(self, text: str) -> str:
        def email(match: re.Match) -> str:
            self.email = self.clone(match.group(1))[1]
            return self.email

        text = re.sub(r"\{email:([A-Z0-9-]+)\}", email, text)
        if "{code}" in text or "{wrong_code}" in text:
            code = self._latest_code()
            text = text.replace("{code}", code).replace("{wrong_code}", f"{(int(code) + 1) % 1_000_000:06d}")
        if "{unknown_email}" in text:
            self.email = f"nobody.{uuid.uuid4().hex[:8]}@example.com"
            text = text.replace("{unknown_email}", self.email)
        return text

    def _latest_code(self) -> str:
        from assistant import mail

        who = self.conversation.who
        to = self.email or (self.clone(who)[1] if who not in ("anonymous", "visitor") else None)  # else: the record's
        messages = mail.outbox(limit=1, to=to)
        if not messages:
            raise Mismatch(f"no one-time code was mailed to {to}")
        return re.search(r"\b(\d{6})\b", messages[0].get_content()).group(1)

    def _setup(self, step: dict) -> None:
        import httpx

        (kind, value), = step.items()
        if kind == "events":  # career-site behaviour events of this visitor
            response = httpx.post(f"{self.stack.api_url}/api/events", json={"visitor_id": self.visitor, "events": value},
                                  timeout=30)
            assert response.status_code == 201, response.text
        elif kind == "expire_code":  # the conversation's one-time code runs out
            self._expire_code()
        elif kind == "hand_back":  # a recruiter resolves the conversation's open ticket, back to the assistant
            self._hand_back()
        else:
            raise ValueError(f"unknown setup step {kind!r}")

    def _expire_code(self) -> None:
        from datetime import timedelta

        from sqlalchemy import update

        from assistant.db import session_scope, utcnow
        from assistant.identity.models import OneTimeCode

        with session_scope() as db:
            db.execute(update(OneTimeCode).where(OneTimeCode.conversation_id.startswith(self.sender))
                       .values(expires_at=utcnow() - timedelta(minutes=1)))

    def _hand_back(self) -> None:
        from sqlalchemy import select

        from assistant.db import session_scope
        from assistant.inbox import service as inbox_service
        from assistant.inbox.models import StaffUser

        with session_scope() as db:
            ticket = inbox_service.get_open_by_conversation(db_session=db, conversation_id=self.sender)
            if ticket is None:
                raise Mismatch("hand_back: the conversation has no open ticket")
            recruiter = db.scalar(select(StaffUser).where(StaffUser.role == "recruiter").limit(1))
            inbox_service.resolve(db_session=db, ticket=ticket, by=recruiter, hand_back=True)

    def _check_slots(self, expected: dict) -> None:
        slots = self.stack.tracker(self.sender)["slots"]
        for name, value in expected.items():
            if slots.get(name) != value:
                raise Mismatch(f"slot {name} is {slots.get(name)!r}, expected {value!r}")

    def _check_ticket(self, expected: dict | None) -> None:
        from sqlalchemy import select

        from assistant.db import session_scope
        from assistant.inbox.models import Ticket

        with session_scope() as db:
            tickets = db.scalars(select(Ticket).where(Ticket.conversation_id == self.sender)).all()
            if expected is None:
                if tickets:
                    raise Mismatch(f"expected no ticket, found {[t.reason for t in tickets]}")
                return
            if len(tickets) != 1:
                raise Mismatch(f"expected one ticket, found {len(tickets)}")
            for key, value in expected.items():
                if getattr(tickets[0], key) != value:
                    raise Mismatch(f"ticket {key} is {getattr(tickets[0], key)!r}, expected {value!r}")


def _signed_visitor() -> str:
    from assistant.events import visitors

    return visitors.issue()


def clone_candidate(external_id: str, *, tag: str) -> tuple[str, str]:
    """Copies a demo candidate with applications, stage history, interviews and interviews to book; returns
    (external id, e-mail)."""
    from sqlalchemy import inspect, select

    from assistant.candidates.models import Application, Candidate, Interview, StageHistory
    from assistant.db import session_scope
    from assistant.scheduling.models import InterviewRequest

    def copy(row, **changes):
        columns = {attr.key: getattr(row, attr.key) for attr in inspect(row).mapper.column_attrs if attr.key != "id"}
        return type(row)(**{**columns, **changes})

    with session_scope() as db:
        original = db.scalar(select(Candidate).where(Candidate.external_id == external_id))
        local, domain = original.email.split("@")
        clone = copy(original, external_id=f"{external_id}~{tag}", email=f"{local}+{tag}@{domain}")
        db.add(clone)
        db.flush()
        for application in original.applications:
            app_copy = copy(application, external_id=f"{application.external_id}~{tag}", candidate_id=clone.id)
            db.add(app_copy)
            db.flush()
            for row in db.scalars(select(StageHistory).where(StageHistory.application_id == application.id)):
                db.add(copy(row, application_id=app_copy.id))
            for row in db.scalars(select(Interview).where(Interview.application_id == application.id)):
                changes = {"external_id": f"{row.external_id}~{tag}"} if hasattr(row, "external_id") else {}
                db.add(copy(row, application_id=app_copy.id, **changes))
            for row in db.scalars(select(InterviewRequest).where(InterviewRequest.application_id == application.id)):
                db.add(copy(row, external_id=f"{row.external_id}~{tag}", application_id=app_copy.id))  # to book in the chat
        return clone.external_id, clone.email


# --- Comparing ------------------------------------------------------------------------------------------


def check_replies(expected: list, replies: list[dict]) -> None:
    """Raises Mismatch unless the replies are exactly the expected messages, in order."""
    for index, (want, got) in enumerate(zip(expected, replies), 1):
        check_message(index, want, got)
    if len(replies) > len(expected):
        extra = "; ".join(_describe(reply) for reply in replies[len(expected):])
        raise Mismatch(f"{len(replies) - len(expected)} extra message(s): {extra}")
    if len(replies) < len(expected):
        raise Mismatch(f"{len(expected) - len(replies)} message(s) missing; got only {len(replies)}: "
                       + "; ".join(_describe(reply) for reply in replies))


KEYS = {"text", "re", "buttons", "payloads", "custom", "fields"}


def check_message(index: int, want: Any, got: dict) -> None:
    want = {"text": want} if isinstance(want, str) else dict(want)
    if not set(want) <= KEYS:  # an unquoted "…: …" in the file became a mapping
        raise ValueError(f"expected message {index} has unknown keys {sorted(set(want) - KEYS)}: quote its text")
    text = got.get("text") or ""
    if "text" in want and text != want["text"].rstrip("\n"):
        raise Mismatch(f"message {index} is {text!r}, expected {want['text']!r}")
    if "re" in want and not re.fullmatch(want["re"].rstrip("\n"), text, flags=re.S):
        raise Mismatch(f"message {index} is {text!r}, expected to match {want['re']!r}")
    if "text" not in want and "re" not in want and text:
        raise Mismatch(f"message {index} has text {text!r}, expected none")
    titles = [button.get("title") or "" for button in got.get("buttons") or []]
    expected_titles = list(want.get("buttons", []))
    if len(titles) != len(expected_titles) or not all(
            re.fullmatch(e["re"], t) if isinstance(e, dict) else e == t for e, t in zip(expected_titles, titles)):
        raise Mismatch(f"message {index} has buttons {titles}, expected {expected_titles}")
    if "payloads" in want:
        payloads = [button.get("payload") for button in got.get("buttons") or []]
        if payloads != want["payloads"]:
            raise Mismatch(f"message {index} has button payloads {payloads}, expected {want['payloads']}")
    custom = (got.get("custom") or {}).get("data") or got.get("custom")
    if "custom" not in want:
        if custom:
            raise Mismatch(f"message {index} has an unexpected custom payload of type {custom.get('type')!r}")
        return
    if not custom or custom.get("type") != want["custom"]:
        raise Mismatch(f"message {index} has custom payload {custom and custom.get('type')!r}, expected {want['custom']!r}")
    for key, value in (want.get("fields") or {}).items():
        check_field(index, key, value, custom)


def check_field(index: int, path: str, value: Any, payload: dict) -> None:
    """Checks one field of a custom payload: `jobs.0.title: Nurse`, `jobs.len: 3`, `answer.re: ...`."""
    current: Any = payload
    parts = path.split(".")
    for part in parts[:-1]:
        current = current[int(part)] if isinstance(current, list) else current.get(part)
    last = parts[-1]
    if last == "len":
        actual = len(current)
    elif last == "re":
        if not re.fullmatch(value, str(current), flags=re.S):
            raise Mismatch(f"message {index}: {path} is {current!r}, expected to match {value!r}")
        return
    else:
        actual = current[int(last)] if isinstance(current, list) else (current or {}).get(last)
    if actual != value:
        raise Mismatch(f"message {index}: {path} is {actual!r}, expected {value!r}")


def _describe(reply: dict) -> str:
    parts = [repr((reply.get("text") or "")[:300])] if reply.get("text") else []
    if reply.get("buttons"):
        parts.append("buttons=" + str([b.get("title") for b in reply["buttons"]]))
    custom = (reply.get("custom") or {}).get("data") or reply.get("custom")
    if custom:
        parts.append(f"custom={custom.get('type')!r}")
    return " ".join(parts) or "(empty)"
