"""E-mail + one-time code verification of a conversation.

``request_code`` answers the same way whether or not the address belongs to a candidate (a code record
is kept either way; mail goes only to known addresses). Codes are 6 digits from ``secrets``, stored only
as an HMAC, expire after ``otp_ttl_minutes``, are single use, and ``otp_max_attempts`` wrong guesses lock
the code; a locked conversation gets no new code until the lock-out (one code lifetime) ends. At most
``otp_max_codes_per_hour`` codes are asked in one conversation an hour (no multiplied guesses), three
times that go to one address (no flooded inbox), so strangers asking for an address do not lock its owner out,
and ``otp_max_codes_per_client`` are asked from one client address; the counts are ``assistant.abuse.limits``
(shared by every replica). A request answers after the same time whether or not the address is known
(``respond_after``: the mail goes out in the background), so the response time tells nothing either.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from concurrent.futures import Future, wait
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant import mail
from assistant.abuse import limits
from assistant.audit import service as audit_service
from assistant.candidates.models import Candidate
from assistant.db import as_utc, utcnow
from assistant.identity.models import OneTimeCode
from assistant.identity.service import mark_verified
from assistant.settings import get_settings


ADDRESS_CAP_FACTOR = 3


class RequestOutcome(StrEnum):
    SENT = "sent"  # said the same way for known and unknown addresses
    LOCKED = "locked"


class VerifyOutcome(StrEnum):
    VERIFIED = "verified"
    WRONG = "wrong"
    EXPIRED = "expired"
    LOCKED = "locked"
    NO_CODE = "no_code"


@dataclass(frozen=True)
class VerifyResult:
    outcome: VerifyOutcome
    attempts_left: int = 0
    candidate_id: int | None = None
    email: str | None = None


def _hash(*, conversation_id: str, code: str) -> str:
    key = get_settings().secret("candidate_token_secret").encode()
    return hmac.new(key, f"otp:{conversation_id}:{code}".encode(), hashlib.sha256).hexdigest()


def _visitor(conversation_id: str, channel: str) -> audit_service.Actor:
    return audit_service.Actor(type="visitor", id=conversation_id[:128], channel=channel)


def is_locked(*, db_session: Session, conversation_id: str, now: datetime | None = None) -> bool:
    """Returns True while this conversation has a code locked by too many wrong guesses.

    Only the guessing conversation is locked, never the address: someone else's guesses in their own
    conversation cannot lock the address's owner out of verifying in theirs (each code is bound to its
    conversation, so those guesses can never verify anyone else)."""
    settings = get_settings()
    now = now or utcnow()
    since = now - timedelta(minutes=settings.otp_ttl_minutes)
    locked = db_session.scalar(
        select(OneTimeCode.id).where(OneTimeCode.conversation_id == conversation_id,
                                     OneTimeCode.attempts >= settings.otp_max_attempts, OneTimeCode.created_at >= since).limit(1)
    )
    return locked is not None


def _within_limits(db_session: Session, *, owner: str, email: str, client: str, now: datetime) -> bool:
    """Counts one code request per conversation, address and client address; returns False when one is over."""
    settings = get_settings()
    cap = settings.otp_max_codes_per_hour
    # No fresh guesses per code in one conversation; no mail bombing of one address from many conversations
    # (ADDRESS_CAP_FACTOR times the conversation cap, so strangers asking for it leave its owner room); no
    # spraying codes at many addresses from one client.
    checks = [(f"otp-conversation:{owner}", cap), (f"otp-email:{limits.subject(email)}", cap * ADDRESS_CAP_FACTOR)]
    if (counted := limits.counted_client(client)) is not None:
        checks.append((f"otp-client:{limits.subject(counted)}", settings.otp_max_codes_per_client))
    return all(limits.hit(db_session=db_session, key=key, limit=limit, window=3600, now=now).allowed
               for key, limit in checks)


def _issue(db_session: Session, *, owner: str, email: str, candidate_id: int | None, now: datetime,
           client: str = "") -> str | None:
    """Returns a new code for owner (replacing older ones), or None while owner, address or client is locked out."""
    if is_locked(db_session=db_session, conversation_id=owner, now=now):
        return None
    if not _within_limits(db_session, owner=owner, email=email, client=client, now=now):
        return None
    for previous in db_session.scalars(select(OneTimeCode).where(OneTimeCode.conversation_id == owner, OneTimeCode.used_at.is_(None))):
        previous.used_at = now  # only the newest code counts
    code = f"{secrets.randbelow(1_000_000):06d}"
    db_session.add(OneTimeCode(
        conversation_id=owner, email=email, candidate_id=candidate_id, code_hash=_hash(conversation_id=owner, code=code),
        attempts=0, created_at=now, expires_at=now + timedelta(minutes=get_settings().otp_ttl_minutes),
    ))
    db_session.flush()
    return code


def _check(db_session: Session, *, owner: str, code: str, now: datetime) -> tuple[VerifyResult, OneTimeCode | None]:
    """Returns the outcome of a guess at owner's newest code (and the code record when it matched)."""
    settings = get_settings()
    record = db_session.scalar(
        select(OneTimeCode).where(OneTimeCode.conversation_id == owner)
        .order_by(OneTimeCode.created_at.desc(), OneTimeCode.id.desc()).limit(1)
    )
    if record is None or (record.used_at is not None and record.attempts < settings.otp_max_attempts):
        return VerifyResult(VerifyOutcome.NO_CODE), None
    if record.attempts >= settings.otp_max_attempts:
        return VerifyResult(VerifyOutcome.LOCKED), None
    if as_utc(record.expires_at) <= now:
        return VerifyResult(VerifyOutcome.EXPIRED), None
    matches = hmac.compare_digest(_hash(conversation_id=owner, code=code.strip()), record.code_hash)
    if not matches or record.candidate_id is None:
        record.attempts += 1
        db_session.flush()
        left = settings.otp_max_attempts - record.attempts
        return (VerifyResult(VerifyOutcome.LOCKED) if left <= 0 else VerifyResult(VerifyOutcome.WRONG, attempts_left=left)), None
    record.used_at = now
    db_session.flush()
    return VerifyResult(VerifyOutcome.VERIFIED, candidate_id=record.candidate_id, email=record.email), record


def request_code(
    *, db_session: Session, conversation_id: str, email: str, channel: str = "chat", client: str = "",
    respond_after: float | None = None, now: datetime | None = None,
) -> RequestOutcome:
    """Returns SENT after storing a new code (and mailing it if the address is a candidate's), or LOCKED.

    ``client``: the client address the channel saw (counted under its own limit). ``respond_after``: return
    exactly this many seconds after the call, known address or not (the mail goes on in the background if it
    takes longer); None: return once the mail is sent (scripts, unit tests)."""
    started = time.monotonic()
    settings = get_settings()
    email = email.strip().lower()
    candidate = db_session.scalar(select(Candidate).where(Candidate.email == email))
    code = _issue(db_session, owner=conversation_id, email=email, candidate_id=candidate.id if candidate else None,
                  now=now or utcnow(), client=client)
    sending: Future | None = None
    if code is not None and candidate is not None:
        audit_service.record(db_session=db_session, actor=_visitor(conversation_id, channel), action="read",
                             entity="candidate", entity_id=candidate.external_id, candidate_id=candidate.id, fields=["email"])
        sending = mail.send_in_background(
            to=candidate.email,
            subject=f"Your {settings.company_name} verification code",
            body=(f"Hi {candidate.first_name},\n\nYour verification code is {code}. It expires in "
                  f"{settings.otp_ttl_minutes} minutes.\n\nIf you did not ask for this code, you can ignore this e-mail.\n\n"
                  f"{settings.company_name} careers assistant\n"),
        )
    _answer_after(started=started, seconds=respond_after, sending=sending)
    return RequestOutcome.LOCKED if code is None else RequestOutcome.SENT


def _answer_after(*, started: float, seconds: float | None, sending: Future | None) -> None:
    """Waits for the mail (seconds None: until sent, raising its error), or until exactly seconds after started."""
    if seconds is None:
        if sending is not None:
            sending.result()
        return
    if sending is not None:
        wait([sending], timeout=max(0.0, seconds - (time.monotonic() - started)))
    time.sleep(max(0.0, seconds - (time.monotonic() - started)))


def verify_code(
    *, db_session: Session, conversation_id: str, code: str, client_key_hash: str | None, channel: str = "chat",
    now: datetime | None = None,
) -> VerifyResult:
    """Returns the outcome of checking a code for this conversation; VERIFIED marks the conversation verified
    for the chat window with client_key_hash (see identity.service)."""
    result, record = _check(db_session, owner=conversation_id, code=code, now=now or utcnow())
    if record is None:
        return result
    mark_verified(db_session=db_session, conversation_id=conversation_id, candidate_id=record.candidate_id, method="otp",
                  client_key_hash=client_key_hash)
    candidate = db_session.get(Candidate, record.candidate_id)
    audit_service.record(db_session=db_session, actor=_visitor(conversation_id, channel), action="verify",
                         entity="candidate", entity_id=candidate.external_id, candidate_id=candidate.id, fields=["email"])
    return result


def _change_owner(kind: str, conversation_id: str) -> str:
    return f"{kind}-change:{conversation_id}"[:128]


def _mail_change_code(db_session: Session, *, kind: str, conversation_id: str, candidate: Candidate, to: str,
                      subject: str, purpose: str, unasked: str, now: datetime | None) -> RequestOutcome:
    """Returns SENT after mailing a code that confirms a change of contact details to ``to``, or LOCKED."""
    settings = get_settings()
    code = _issue(db_session, owner=_change_owner(kind, conversation_id), email=to, candidate_id=candidate.id,
                  now=now or utcnow())
    if code is None:
        return RequestOutcome.LOCKED
    mail.send(to=to, subject=f"{subject} for {settings.company_name}",
              body=(f"Hi {candidate.first_name},\n\nTo {purpose}, type the code {code} in the chat. It expires in "
                    f"{settings.otp_ttl_minutes} minutes.\n\nIf you did not ask for this, {unasked}.\n\n"
                    f"{settings.company_name} careers assistant\n"))
    return RequestOutcome.SENT


def _confirm_change(db_session: Session, *, kind: str, conversation_id: str, code: str, now: datetime | None) -> VerifyResult:
    result, _ = _check(db_session, owner=_change_owner(kind, conversation_id), code=code, now=now or utcnow())
    return result


def request_email_change(
    *, db_session: Session, conversation_id: str, candidate: Candidate, new_email: str, now: datetime | None = None
) -> RequestOutcome:
    """Returns SENT after mailing a confirmation code to the new address (whoever it belongs to), or LOCKED.

    The reply is the same whether or not the address is already another candidate's: only its owner can
    confirm it, and the change is applied (and any conflict reported) after the code is confirmed.
    """
    return _mail_change_code(db_session, kind="email", conversation_id=conversation_id, candidate=candidate,
                             to=new_email.strip().lower(), subject="Confirm your new e-mail address",
                             purpose="use this address for your candidate record", unasked="you can ignore this e-mail",
                             now=now)


def confirm_email_change(*, db_session: Session, conversation_id: str, code: str, now: datetime | None = None) -> VerifyResult:
    """Returns VERIFIED (with the confirmed address in ``email``) when the code sent to the new address matches."""
    return _confirm_change(db_session, kind="email", conversation_id=conversation_id, code=code, now=now)


def request_phone_change(*, db_session: Session, conversation_id: str, candidate: Candidate,
                         now: datetime | None = None) -> RequestOutcome:
    """Returns SENT after mailing a code to the candidate's address on record, or LOCKED.

    A new phone number needs the same proof as a new e-mail address: whoever has only the chat cannot
    redirect the recruiters' calls. We cannot send text messages, so the code goes to the record's e-mail.
    """
    return _mail_change_code(db_session, kind="phone", conversation_id=conversation_id, candidate=candidate,
                             to=candidate.email, subject="Confirm the change of your phone number",
                             purpose="change the phone number on your candidate record",
                             unasked=f"please tell our recruiting team at {get_settings().recruiting_email}", now=now)


def confirm_phone_change(*, db_session: Session, conversation_id: str, code: str, now: datetime | None = None) -> VerifyResult:
    """Returns VERIFIED when the code mailed for this conversation's phone change matches."""
    return _confirm_change(db_session, kind="phone", conversation_id=conversation_id, code=code, now=now)
