"""Someone asking codes for another person's address, and guessing them, does not lock that person out."""

from __future__ import annotations

import re

from assistant import mail
from assistant.candidates.models import Candidate
from assistant.identity import otp
from assistant.identity import service as identity_service
from tests.identity.test_otp import outbox  # noqa: F401 - fixture


def test_a_strangers_requests_and_guesses_leave_the_owner_able_to_verify(db_session, outbox):  # noqa: F811
    owner = Candidate(external_id="C-LOCK", first_name="Ola", email="ola.lock@example.com")
    db_session.add(owner)
    db_session.flush()
    for attempt in range(otp.get_settings().otp_max_codes_per_hour):  # the stranger's full allowance
        otp.request_code(db_session=db_session, conversation_id="stranger", email=owner.email)
    for _ in range(otp.get_settings().otp_max_attempts):
        otp.verify_code(db_session=db_session, client_key_hash="d" * 64, conversation_id="stranger", code="000000")
    assert otp.request_code(db_session=db_session, conversation_id="owner", email=owner.email) is otp.RequestOutcome.SENT
    code = re.search(r"\b(\d{6})\b", mail.outbox(limit=1, to=owner.email)[0].get_content()).group(1)
    assert otp.verify_code(db_session=db_session, client_key_hash="d" * 64, conversation_id="owner", code=code).outcome is otp.VerifyOutcome.VERIFIED
    assert identity_service.current_candidate(db_session=db_session, conversation_id="owner", metadata={"client_key_hash": "d" * 64}) is owner
    assert identity_service.current_candidate(db_session=db_session, conversation_id="stranger", metadata={"client_key_hash": "d" * 64}) is None
