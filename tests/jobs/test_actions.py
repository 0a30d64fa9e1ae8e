"""The jobs actions without a server: the short form's answers, and asking for details when nothing is known."""

from __future__ import annotations

import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.jobs import SKIP, ValidateJobPreferencesForm


@pytest.mark.parametrize("value, expected", [(None, None), ("", None), ("  ", None), ("skip", SKIP), ("No preference", SKIP),
                                             ("nurse", "nurse"), ("x" * 201, None)])
def test_form_answers(value, expected):
    dispatcher = CollectingDispatcher()
    result = ValidateJobPreferencesForm().validate_job_role(value, dispatcher, Tracker("s", {}, {}, [], False, None, {}, ""), {})
    assert result == {"job_role": expected}


def test_a_reset_slot_does_not_complete_the_form():
    """Slots reset by action_find_jobs reach the validator as None; they must stay unanswered."""
    tracker = Tracker("s", {"job_role": None, "requested_slot": None}, {"text": "any jobs for me?"},
                      [{"event": "slot", "name": "job_role", "value": None}], False, None,
                      {"name": "job_preferences_form"}, "job_preferences_form")
    events = asyncio.run(ValidateJobPreferencesForm().run(CollectingDispatcher(), tracker,
                                                          {"forms": {"job_preferences_form": {"required_slots": ["job_role"]}}}))
    assert all(e.get("value") in (None,) for e in events if e.get("name") == "job_role")
