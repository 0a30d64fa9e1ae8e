"""Which offered interview time a candidate's reply means: the button's payload, its label, a number or an
ordinal ("the second one"), or a request for other times / a recruiter / to stop."""

from __future__ import annotations

import re
from enum import StrEnum

from rapidfuzz import fuzz, process

from assistant.candidates import parsing

ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "fifth": 5, "5th": 5,
            "last": -1}
OTHER_TIMES = re.compile(r"\b(other|more|later|different|another|next)\b.*\b(times?|slots?|options?|ones?|days?)\b|^(more|next)$")
NONE_FIT = re.compile(r"\b(none|recruiter|human|person)\b|\bno(ne)? of (these|them)\b|\bdon'?t work\b")
KEEP = re.compile(r"\b(keep|stay|stop|cancel|never ?mind|forget it)\b")
MIN_LABEL_SCORE = 90


class Intent(StrEnum):
    OTHER_TIMES = "other_times"
    NONE_FIT = "none_fit"
    KEEP = "keep"


def understand(text: str, offered: list[list[str]]) -> str | Intent | None:
    """Returns the offered slot id meant by text ([id, label] pairs as shown), an Intent, or None when unclear."""
    cleaned = " ".join(text.lower().split()).strip(" .!?")
    ids = {slot_id.lower(): slot_id for slot_id, _ in offered}
    if cleaned in ids:
        return ids[cleaned]
    if parsing.is_cancel(text) or cleaned in ("/deny", "keep it") or KEEP.search(cleaned):
        return Intent.KEEP
    if NONE_FIT.search(cleaned):
        return Intent.NONE_FIT
    if OTHER_TIMES.search(cleaned):
        return Intent.OTHER_TIMES
    number = re.fullmatch(r"(?:number |option |the )?(\d)(?:st|nd|rd|th)?(?: one)?", cleaned)
    words = [ORDINALS[w] for w in re.findall(r"[a-z0-9]+", cleaned) if w in ORDINALS]
    position = int(number.group(1)) if number else (words[0] if len(words) == 1 else None)
    if position is not None and offered:
        index = position - 1 if position > 0 else len(offered) - 1
        return offered[index][0] if 0 <= index < len(offered) else None
    labels = {_tokens(label): slot_id for slot_id, label in offered}
    best = process.extract(_tokens(cleaned), list(labels), scorer=fuzz.token_set_ratio, limit=2)
    if best and best[0][1] >= MIN_LABEL_SCORE and (len(best) == 1 or best[1][1] < best[0][1]):
        return labels[best[0][0]]
    return None


def _tokens(text: str) -> str:
    """Returns text as lower-case words and numbers ("Thu 10 Dec, 09:30–10:15" -> "thu 10 dec 9 30 10 15")."""
    return " ".join(str(int(t)) if t.isdigit() else t[:3] for t in re.findall(r"[a-z]+|\d+", text.lower()))
