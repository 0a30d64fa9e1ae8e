"""AI feature switches in the chat: a feature an admin turned off answers honestly and offers a recruiter."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from assistant.oversight import service as oversight_service

RECRUITER_BUTTON = {"title": "Talk to a recruiter", "payload": "/request_human"}
OFF_TEXTS = {
    "recommendations": ("Job suggestions are switched off at the moment, so I can't suggest roles right now. "
                        "You can browse every open job on our careers site, or I can connect you with a recruiter."),
    "knowledge_answers": ("Answers from our help articles are switched off at the moment, so I can't answer that "
                          "myself right now. A recruiter can: shall I connect you?"),
}


def feature_off(dispatcher: CollectingDispatcher, feature: str, *, db_session: Session) -> bool:
    """Returns True (after telling the candidate and offering a recruiter) when an admin turned the feature off."""
    if oversight_service.is_enabled(db_session=db_session, feature=feature):
        return False
    dispatcher.utter_message(text=OFF_TEXTS[feature], buttons=[RECRUITER_BUTTON])
    return True
