"""Every escalation intent of the domain has a reason, a priority and a response target."""

from __future__ import annotations

import yaml

from assistant.escalation.reasons import ESCALATION_INTENTS, PRIORITIES, REASONS, get_reason
from assistant.settings import ROOT, get_settings


def test_every_escalation_intent_of_the_domain_has_a_reason_and_target():
    domain = yaml.safe_load((ROOT / "assistant/rasa/domain/escalation.yml").read_text())
    assert set(domain["intents"]) == set(ESCALATION_INTENTS)
    targets = get_settings().escalation_target_hours
    for reason in REASONS.values():
        assert reason.priority in PRIORITIES
        assert targets[reason.name] > 0


def test_distress_is_urgent_and_unknown_intents_ask_for_a_person():
    assert get_reason("distress").priority == "urgent"
    assert get_reason("nlu_fallback").name == "request_human"
