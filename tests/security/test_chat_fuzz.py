"""Fuzz of the chat through the real stack: random junk, control characters, other scripts and huge
messages never break a turn; every turn gets an answer and other conversations keep being served."""

from __future__ import annotations

import random
import string
import uuid

import pytest

from assistant.settings import get_settings

ALPHABETS = [string.printable, "äöüßéèñçøå", "中文日本語한국어", "🙂🔥💼📅", "\u200b\u202e\u0000\ufeff", "@.-+()0123456789 "]


def _junk(rng: random.Random, length: int) -> str:
    return "".join(rng.choice(rng.choice(ALPHABETS)) for _ in range(length))


def _messages() -> list[str]:
    rng = random.Random(13)
    limit = get_settings().max_message_chars
    texts = [_junk(rng, rng.randint(1, 200)) for _ in range(8)]
    texts += [_junk(rng, limit), "a@" * (limit // 2), "/request_human{\"x\": 1}", "   ", "/" + "a" * 50]
    texts += ["a" * 1_000_000, ("a-1 " * 250_000), "1 " * (limit + 1)]
    return texts


@pytest.mark.parametrize("text", _messages(), ids=lambda t: f"{len(t)}-chars")
def test_every_fuzzed_turn_is_answered(stack, text):
    sender = f"fuzz-{uuid.uuid4().hex[:8]}"
    replies = stack.chat(sender, text)
    assert replies, "every turn gets at least one message"
    assert all(r.get("recipient_id") == sender for r in replies)
    if len(text) > get_settings().max_message_chars:
        assert replies[0]["text"].startswith("That message is too long for me to read")


def test_the_assistant_still_answers_after_the_fuzz(stack):
    replies = stack.chat(f"fuzz-after-{uuid.uuid4().hex[:8]}", "hello")
    assert replies and replies[0]["text"].startswith("Hi")
