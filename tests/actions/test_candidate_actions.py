"""The candidate actions and form validators without a Rasa server (the database session is the test's)."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions.candidates as candidate_actions
import actions.identity as identity_actions
from assistant.candidates.models import Application, Candidate, StageHistory
from assistant.identity import service as identity_service
from assistant.jobs.models import Job

FORMS = {"verify_form": ["verify_email", "verify_code"], "contact_form": ["contact_value"],
         "preferences_form": ["preferences_value"], "profile_form": ["profile_value"],
         "withdraw_form": ["withdraw_target", "withdraw_confirmed"]}
DOMAIN = {"forms": {name: {"required_slots": slots} for name, slots in FORMS.items()},
          "slots": {slot: {} for slots in FORMS.values() for slot in slots}}


@pytest.fixture(autouse=True)
def same_session(db_session, monkeypatch, tmp_path):
    """Actions open their own session; here they share the test's rolled-back one."""
    from assistant.settings import get_settings

    @contextmanager
    def scope():
        yield db_session
        db_session.flush()

    monkeypatch.setattr(identity_actions, "session_scope", scope)
    monkeypatch.setattr(candidate_actions, "session_scope", scope)
    monkeypatch.setattr(type(get_settings()), "outbox_dir", property(lambda self: tmp_path / "outbox"))


@pytest.fixture
def ada(db_session):
    candidate = Candidate(external_id="C-ACT1", first_name="Ada", email="ada.act@example.com", phone="+442079460000")
    db_session.add(candidate)
    db_session.flush()
    return candidate


@pytest.fixture
def ada_application(db_session, ada):
    job = Job(external_id="FH-ACT1", title="Data Engineer", department="Engineering", level="mid")
    db_session.add(job)
    db_session.flush()
    application = Application(external_id="APP-ACT1", candidate_id=ada.id, job_id=job.id, stage="interviews")
    db_session.add(application)
    db_session.flush()
    return application


def tracker(text: str = "", *, intent: str = "check_status", sender: str = "conv-1", slots: dict | None = None,
            metadata: dict | None = None, active_loop: str | None = None) -> Tracker:
    slots = slots or {}
    metadata = {"client_key_hash": "f" * 64, **(metadata or {})}  # the chat window, as the Rasa channel marks it
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.99}, "metadata": metadata}
    events = [{"event": "user", "text": text, "parse_data": latest, "input_channel": "rest"}]
    events += [{"event": "slot", "name": name, "value": value} for name, value in slots.items()]
    return Tracker(sender, slots, latest, events, False, None, {"name": active_loop} if active_loop else {}, "action_listen")


def verified(ada, sender: str = "conv-1") -> dict:
    return {"candidate_token": identity_service.issue_token(candidate_external_id=ada.external_id)}


def texts(dispatcher: CollectingDispatcher) -> str:
    return " ".join(m.get("text") or "" for m in dispatcher.messages)


async def run(action, t: Tracker):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, DOMAIN)
    return dispatcher, {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


# ---- identity ------------------------------------------------------------------------------------

async def test_an_unverified_request_gets_no_data_and_starts_verification(ada, ada_application):
    dispatcher, slots = await run(identity_actions.ActionRequireIdentity(), tracker("where is my application?"))
    assert slots["identity_verified"] is False and slots["pending_intent"] == "check_status"
    assert "confirm it's you" in texts(dispatcher) and "Data Engineer" not in texts(dispatcher)
    dispatcher, _ = await run(candidate_actions.ActionCheckStatus(), tracker("where is my application?", slots={"pending_text": "x"}))
    assert texts(dispatcher) == candidate_actions.NOT_VERIFIED


@pytest.mark.parametrize("token", ["garbage", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJDLUFDVDEifQ.forged"])
async def test_a_bad_token_verifies_nobody(ada, ada_application, token):
    _, slots = await run(identity_actions.ActionRequireIdentity(), tracker("status?", metadata={"candidate_token": token}))
    assert slots["identity_verified"] is False


async def test_a_valid_token_verifies_and_the_inline_value_is_taken(ada):
    text = "my new number is +44 7700 900123"
    _, slots = await run(identity_actions.ActionRequireIdentity(), tracker(text, intent="update_contact", metadata=verified(ada)))
    assert slots["identity_verified"] is True
    assert (slots["contact_field"], slots["contact_value"]) == ("phone", text)


async def test_verify_form_email_step(ada):
    form = identity_actions.ValidateVerifyForm()
    dispatcher = CollectingDispatcher()
    assert await form.validate_verify_email("ada at example", dispatcher, tracker("ada at example"), DOMAIN) == {"verify_email": None}
    assert "doesn't look like an e-mail address" in texts(dispatcher)
    replies = []
    for email in ("ada.act@example.com", "stranger@example.com"):  # known and unknown: the same reply
        dispatcher = CollectingDispatcher()
        result = await form.validate_verify_email(email, dispatcher, tracker(email, sender=f"conv-{email}"), DOMAIN)
        replies.append((result == {"verify_email": email}, dispatcher.messages))
    assert replies[0] == replies[1] == (True, [])
    assert await form.validate_verify_email("cancel", CollectingDispatcher(), tracker("cancel"), DOMAIN) == identity_actions.STOPPED


async def test_verify_form_code_step_wrong_then_right(ada):
    from assistant import mail

    form = identity_actions.ValidateVerifyForm()
    await form.validate_verify_email("ada.act@example.com", CollectingDispatcher(), tracker(), DOMAIN)
    code = __import__("re").search(r"\d{6}", mail.outbox(limit=1)[0].get_content()).group(0)
    t = tracker(slots={"verify_email": "ada.act@example.com"})
    dispatcher = CollectingDispatcher()
    assert await form.validate_verify_code("12345", dispatcher, t, DOMAIN) == {"verify_code": None}
    assert "6 digits" in texts(dispatcher)
    dispatcher = CollectingDispatcher()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert await form.validate_verify_code(wrong, dispatcher, t, DOMAIN) == {"verify_code": None}
    assert "4 attempts left" in texts(dispatcher)
    assert await form.validate_verify_code(f"the code is {code}", CollectingDispatcher(), t, DOMAIN) == {"verify_code": "verified"}
    _, slots = await run(identity_actions.ActionResumePending(), tracker(slots={"pending_intent": "check_status", "pending_text": "status"}))
    assert slots["identity_verified"] is True and slots["pending_intent"] == "check_status"


async def test_resume_after_cancel_or_lock_out_shares_nothing(ada):
    dispatcher, slots = await run(identity_actions.ActionResumePending(), tracker(slots={"verify_code": "locked", "pending_intent": "check_status"}))
    assert slots["identity_verified"] is False and "too many attempts" in texts(dispatcher)
    dispatcher, slots = await run(identity_actions.ActionResumePending(), tracker(slots={"verify_code": "cancelled"}))
    assert slots["pending_intent"] is None and "I've stopped" in texts(dispatcher)


# ---- status --------------------------------------------------------------------------------------

async def test_status_for_a_verified_candidate(ada, ada_application):
    meta = verified(ada)
    dispatcher, _ = await run(candidate_actions.ActionCheckStatus(), tracker("status?", metadata=meta, slots={"pending_text": "status?"}))
    assert "**Data Engineer**: Interviews." in texts(dispatcher)


async def test_another_candidates_application_id_is_answered_like_a_nonexistent_one(db_session, ada, ada_application):
    bob = Candidate(external_id="C-ACT2", first_name="Bob", email="bob.act@example.com")
    db_session.add(bob)
    db_session.flush()
    db_session.add(Application(external_id="APP-ACT2", candidate_id=bob.id, job_id=ada_application.job_id, stage="offer"))
    db_session.flush()
    meta = verified(ada)
    answers = []
    for text in ("status of APP-ACT2", "status of APP-ACT9"):
        dispatcher, _ = await run(candidate_actions.ActionCheckStatus(), tracker(text, metadata=meta, slots={"pending_text": text}))
        answers.append(dispatcher.messages)
    assert answers[0] == answers[1]
    assert "couldn't find an application of yours" in answers[0][0]["text"] and "Offer" not in str(answers[0])


# ---- forms ---------------------------------------------------------------------------------------

async def test_contact_form_validates_phone_and_email(ada):
    form = candidate_actions.ValidateContactForm()
    meta = verified(ada)
    t = tracker("x", metadata=meta, slots={"contact_field": "phone"}, intent="update_contact")
    assert form._validate("+44 7700 900123", CollectingDispatcher(), t, DOMAIN) == {"contact_value": {"field": "phone", "value": "+447700900123"}}
    assert form._validate("0151 555 0199", CollectingDispatcher(), t, DOMAIN)["contact_value"]["value"] == "+441515550199"  # region of the current number
    dispatcher = CollectingDispatcher()
    assert form._validate("+1 555 01", dispatcher, t, DOMAIN) == {"contact_value": None}
    assert "doesn't look valid" in texts(dispatcher)
    assert form._validate("it's ada.new@example.org", CollectingDispatcher(), t, DOMAIN)["contact_value"] == {"field": "email", "value": "ada.new@example.org"}
    assert form._validate("never mind", CollectingDispatcher(), t, DOMAIN) == {"contact_value": candidate_actions.CANCELLED}


async def test_contact_form_runs_its_validator_through_run(ada):
    form = candidate_actions.ValidateContactForm()
    t = tracker("+44 7700 900123", metadata=verified(ada), slots={"contact_value": "+44 7700 900123"}, active_loop="contact_form")
    events = await form.run(CollectingDispatcher(), t, DOMAIN)
    assert {"event": "slot", "name": "contact_value", "value": {"field": "phone", "value": "+447700900123"}, "timestamp": None} in events


async def test_update_contact_writes_the_record_only_with_the_confirmed_code(db_session, ada):
    change = {"contact_value": {"field": "phone", "value": "+447700900123"}}
    dispatcher, _ = await run(candidate_actions.ActionUpdateContact(), tracker("x", metadata=verified(ada), slots=change))
    db_session.refresh(ada)
    assert ada.phone != "+447700900123" and "haven't changed anything" in texts(dispatcher)
    t = tracker("x", metadata=verified(ada), slots={**change, "contact_code": "confirmed"})
    dispatcher, slots = await run(candidate_actions.ActionUpdateContact(), t)
    db_session.refresh(ada)
    assert ada.phone == "+447700900123" and "+447700900123" in texts(dispatcher)
    assert slots["contact_value"] is None


async def test_a_new_phone_number_is_confirmed_by_a_code_mailed_to_the_record_address(ada):
    from assistant import mail

    form = candidate_actions.ValidateContactForm()
    meta = verified(ada)
    value = form._validate("+44 7700 900123", CollectingDispatcher(), tracker("+44 7700 900123", metadata=meta), DOMAIN)
    assert value["contact_value"] == {"field": "phone", "value": "+447700900123"}
    code = re.search(r"\d{6}", mail.outbox(limit=1, to=ada.email)[0].get_content()).group(0)
    pending = {"contact_value": value["contact_value"]}
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert form.validate_contact_code(wrong, CollectingDispatcher(), tracker(wrong, metadata=meta, slots=pending), DOMAIN) == {"contact_code": None}
    assert form.validate_contact_code(code, CollectingDispatcher(), tracker(code, metadata=meta, slots=pending), DOMAIN) == {"contact_code": "confirmed"}


@pytest.mark.parametrize("form_class, text, expected", [
    (candidate_actions.ValidatePreferencesForm, "please contact me by SMS", {"contact_channel": "sms"}),
    (candidate_actions.ValidateProfileForm, "add Rust to my skills", {"add_skills": ["Rust"]}),
])
async def test_preference_and_profile_forms(ada, form_class, text, expected):
    form = form_class()
    t = tracker(text, metadata=verified(ada))
    value = form._validate(text, CollectingDispatcher(), t, DOMAIN)[form.slot]
    assert expected.items() <= value.items()
    dispatcher = CollectingDispatcher()
    assert form._validate("blah blah", dispatcher, t, DOMAIN) == {form.slot: None}
    assert "cancel" in texts(dispatcher)


async def test_withdrawal_needs_an_explicit_yes(db_session, ada, ada_application):
    form = candidate_actions.ValidateWithdrawForm()
    t = tracker("APP-ACT1", metadata=verified(ada), intent="withdraw_application")
    assert form.validate_withdraw_target("APP-ACT1", CollectingDispatcher(), t, DOMAIN) == {"withdraw_target": "APP-ACT1"}
    dispatcher = CollectingDispatcher()
    assert form.validate_withdraw_confirmed("maybe later", dispatcher, tracker("maybe later", intent="ask_question"), DOMAIN) == {"withdraw_confirmed": None}
    assert "yes or no" in texts(dispatcher)
    assert form.validate_withdraw_confirmed("/affirm", CollectingDispatcher(), tracker("/affirm", intent="affirm"), DOMAIN) == {"withdraw_confirmed": True}

    declined = tracker("x", metadata=verified(ada), slots={"withdraw_target": "APP-ACT1", "withdraw_confirmed": False})
    await run(candidate_actions.ActionWithdrawApplication(), declined)
    db_session.refresh(ada_application)
    assert ada_application.stage == "interviews"
    confirmed = tracker("x", metadata=verified(ada), slots={"withdraw_target": "APP-ACT1", "withdraw_confirmed": True})
    dispatcher, _ = await run(candidate_actions.ActionWithdrawApplication(), confirmed)
    db_session.refresh(ada_application)
    assert ada_application.stage == "withdrawn" and "withdrawn" in texts(dispatcher)
    assert db_session.query(StageHistory).filter_by(application_id=ada_application.id, stage="withdrawn").count() == 1


async def test_a_new_email_needs_the_code_sent_to_it_and_taken_addresses_get_the_same_reply(db_session, ada):
    import re

    from assistant import mail

    bob = Candidate(external_id="C-ACT3", first_name="Bob", email="bob.taken@example.com")
    db_session.add(bob)
    db_session.flush()
    form = candidate_actions.ValidateContactForm()
    meta = verified(ada)
    replies = []
    for email in ("bob.taken@example.com", "ada.free@example.com"):
        dispatcher = CollectingDispatcher()
        value = form._validate(email, dispatcher, tracker(email, metadata=meta), DOMAIN)["contact_value"]
        replies.append((value["field"], dispatcher.messages))
        assert mail.outbox(limit=1, to=email), "the code goes to the new address"
    assert replies[0] == replies[1] == ("email", [])
    slots = await form.required_slots(["contact_value", "contact_code"], CollectingDispatcher(),
                                      tracker(slots={"contact_value": {"field": "email", "value": "ada.free@example.com"}}), DOMAIN)
    assert slots == ["contact_value", "contact_code"]
    assert await form.required_slots(["contact_value", "contact_code"], CollectingDispatcher(),
                                     tracker(slots={"contact_value": {"field": "phone", "value": "+4930"}}), DOMAIN) == [
        "contact_value", "contact_code"]  # a new phone number needs a code too (sent to the record's address)

    pending = {"contact_value": {"field": "email", "value": "ada.free@example.com"}}
    code = re.search(r"\d{6}", mail.outbox(limit=1, to="ada.free@example.com")[0].get_content()).group(0)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    dispatcher = CollectingDispatcher()
    assert form.validate_contact_code(wrong, dispatcher, tracker(wrong, metadata=meta, slots=pending), DOMAIN) == {"contact_code": None}
    assert "4 attempts left" in texts(dispatcher)
    # Without the confirmed code nothing changes.
    await run(candidate_actions.ActionUpdateContact(), tracker(metadata=meta, slots={**pending, "contact_code": None}))
    db_session.refresh(ada)
    assert ada.email == "ada.act@example.com"
    assert form.validate_contact_code(code, CollectingDispatcher(), tracker(code, metadata=meta, slots=pending), DOMAIN) == {"contact_code": "confirmed"}
    dispatcher, _ = await run(candidate_actions.ActionUpdateContact(), tracker(metadata=meta, slots={**pending, "contact_code": "confirmed"}))
    db_session.refresh(ada)
    assert ada.email == "ada.free@example.com" and "is now ada.free@example.com" in texts(dispatcher)


async def test_preferences_change_is_written_and_confirmed(db_session, ada):
    value = {"contact_channel": "phone", "contact_hours": "after 5pm", "job_alerts": True}
    dispatcher, slots = await run(candidate_actions.ActionUpdatePreferences(),
                                  tracker(metadata=verified(ada), slots={"preferences_value": value}))
    db_session.refresh(ada)
    assert (ada.contact_channel, ada.contact_hours, ada.job_alerts) == ("phone", "after 5pm", True)
    assert texts(dispatcher) == "Done: we'll contact you by phone, after 5pm, and job alerts are on."
    assert slots["preferences_value"] is None


async def test_profile_change_is_written_and_confirmed(db_session, ada):
    value = {"add_skills": ["Python"], "work_preference": "hybrid", "years_experience": 5}
    dispatcher, _ = await run(candidate_actions.ActionUpdateProfile(),
                              tracker(metadata=verified(ada), slots={"profile_value": value}))
    db_session.refresh(ada)
    assert "Python" in ada.skills and ada.work_preference == "hybrid" and ada.years_experience == 5
    assert texts(dispatcher).startswith("Done. Your profile now says") and "Python" in texts(dispatcher)


@pytest.mark.parametrize("action, slot", [(candidate_actions.ActionUpdatePreferences, "preferences_value"),
                                          (candidate_actions.ActionUpdateProfile, "profile_value")])
async def test_a_cancelled_or_unverified_change_writes_nothing(db_session, ada, action, slot):
    dispatcher, _ = await run(action(), tracker(metadata=verified(ada), slots={slot: {"cancelled": True}}))
    assert texts(dispatcher) == candidate_actions.NOTHING_CHANGED
    dispatcher, _ = await run(action(), tracker(slots={slot: {"add_skills": ["Go"], "contact_channel": "phone"}}))
    assert texts(dispatcher) == candidate_actions.NOT_VERIFIED
    db_session.refresh(ada)
    assert "Go" not in (ada.skills or []) and ada.contact_channel != "phone"
