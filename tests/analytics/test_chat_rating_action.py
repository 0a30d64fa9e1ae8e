"""The chat rating's answer: the button's entity, else a number from 1 to 5 in the typed words."""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker

from actions.feedback import rating_value


def _tracker(text: str, entities: list[dict] | None = None) -> Tracker:
    return Tracker.from_dict({"sender_id": "rating-1", "slots": {}, "paused": False, "followup_action": None,
                              "active_loop": {}, "latest_action_name": "action_listen", "events": [],
                              "latest_message": {"text": text, "entities": entities or [],
                                                 "intent": {"name": "rate_chat", "confidence": 0.9}}})


@pytest.mark.parametrize(("text", "entities", "value"), [
    ('/rate_chat{"rating": "4"}', [{"entity": "rating", "value": "4"}], "4"),
    ('/rate_chat{"rating": "skip"}', [{"entity": "rating", "value": "skip"}], "skip"),
    ("I'd give it 5 stars", [], "5"),
    ("4 out of 5", [], "4"),
    ("1 star, not helpful", [], "1"),
    ("ten out of ten", [], ""),
    ("I give it 9", [], ""),
    ('/rate_chat{"rating": "9"}', [{"entity": "rating", "value": "9"}], "9"),  # asked again by the action
])
def test_rating_value(text, entities, value):
    assert rating_value(_tracker(text, entities)) == value
