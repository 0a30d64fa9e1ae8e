"""The one check before answering a message: can the assistant serve it? (junk, another language, or go ahead).

    from assistant.language.screening import screen
    result = screen(text, recruiting_email="recruiting@fernhill.example")
    if result.reply: send result.reply instead of answering; otherwise handle the message as usual.

Messages that are too short to judge (yes, names, e-mail addresses, codes, phone numbers, emoji) always go
ahead, so forms and buttons keep working.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from assistant.language import detection, junk, notices

MAX_SCREENED_CHARS = 2000  # longer messages are judged by their start (the channel limits length anyway)


@dataclass(frozen=True)
class Screening:
    verdict: Literal["serve", "junk", "other_language"]
    reply: str | None = None  # what to say instead of an answer; None = handle the message as usual
    language: str | None = None  # ISO 639-1 code for other_language
    junk_kind: str | None = None  # sql, code, mashing or symbols for junk


def screen(text: str, *, recruiting_email: str) -> Screening:
    """Returns whether the assistant can serve text and, when it cannot, the honest reply to send instead."""
    text = (text or "")[:MAX_SCREENED_CHARS]
    kind = junk.junk_kind(text)
    if kind is not None:
        return Screening("junk", notices.JUNK, junk_kind=kind)
    language = detection.other_language(text)
    if language is not None:
        return Screening("other_language", notices.other_language(language, email=recruiting_email), language=language)
    return Screening("serve")
