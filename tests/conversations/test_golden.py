"""Plays every golden conversation (tests/conversations/*.yml) through the real stack: Rasa server with the
trained model, action server, API and database. Each fails on a missing, different or extra bot message."""

from __future__ import annotations

import pytest

from tests.conversations.runner import Player, load

pytestmark = pytest.mark.stack

CONVERSATIONS = load()


@pytest.mark.parametrize("conversation", CONVERSATIONS, ids=[c.id for c in CONVERSATIONS])
def test_golden_conversation(stack, conversation):
    Player(stack, conversation).play()
