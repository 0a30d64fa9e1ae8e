"""Plays every golden conversation (tests/conversations/*.yml) through the real stack: Rasa server with the
trained model, action server, API and database. Each fails on a missing, different or extra bot message."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conversations.runner import HERE, Player, load

pytestmark = pytest.mark.stack

# `assistant eval` adds the separately written evaluation cases (ASSISTANT_GOLDEN_DIRS=dir:dir).
DIRS = [Path(d) for d in os.environ.get("ASSISTANT_GOLDEN_DIRS", str(HERE)).split(":")]
CONVERSATIONS = [conversation for directory in DIRS for conversation in load(directory)]


PARAMS = [pytest.param(c, id=c.id, marks=[pytest.mark.xfail(strict=True, reason=c.known_defect)] if c.known_defect else [])
          for c in CONVERSATIONS]


@pytest.mark.parametrize("conversation", PARAMS)
def test_golden_conversation(stack, conversation):
    Player(stack, conversation).play()
