"""Run by test_guard.py with .venv-rasa's Python (the guard imports Rasa): plays the guard against fake turns
and prints what the candidate would receive in each case, as JSON."""

import asyncio
import json
import os

os.environ.update({"ASSISTANT_MAX_MESSAGE_CHARS": "60", "ASSISTANT_TURN_BUDGET_SECONDS": "0.3",
                   "ASSISTANT_RECRUITING_EMAIL": "jobs@example.org"})

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage  # noqa: E402

from rasa_channel import guard  # noqa: E402


class FakeTracker:
    def __init__(self, paused=False, active_loop_name=None):
        self.paused, self.active_loop_name = paused, active_loop_name

    def is_paused(self):
        return self.paused


TRACKERS = {"in-form": FakeTracker(active_loop_name="verify_form"), "paused": FakeTracker(paused=True)}


async def tracker_of(sender):  # the edges: no Rasa agent in this process
    return TRACKERS.get(sender)


async def nothing(_sender):
    return None


guard._conversation_state = tracker_of
guard._listen_again = nothing


async def answers(message):
    await message.output_channel.send_response(message.sender_id, {"text": "an answer"})


async def echo_metadata(message):
    await message.output_channel.send_response(message.sender_id, {"text": json.dumps(message.metadata, sort_keys=True)})


async def silent(message):
    return None


async def answers_then_save_fails(message):
    await message.output_channel.send_response(message.sender_id, {"text": "an answer never stored"})
    raise RuntimeError("tracker store down")


class BrokenStore:  # a tracker store whose database is down
    domain = None
    event_broker = None

    async def save(self, tracker):
        raise ConnectionError("database down")


class MemoryStore:  # Rasa's fallback: keeps the turn in process memory only
    async def save(self, tracker):
        return None


class Agent:
    tracker_store = None


async def answers_then_store_fails(message):
    await message.output_channel.send_response(message.sender_id, {"text": "an answer never stored"})
    await Agent.tracker_store.save(None)  # as Rasa's processor saves the turn


async def play_with_failing_store():
    from rasa.core.tracker_store import FailSafeTrackerStore

    Agent.tracker_store = FailSafeTrackerStore(BrokenStore(), fallback_tracker_store=MemoryStore())
    guard._agent = lambda: Agent
    return await play(answers_then_store_fails)


async def crashes(message):
    raise RuntimeError("tracker store down")


async def slow(message):
    await asyncio.sleep(1.0)
    await message.output_channel.send_response(message.sender_id, {"text": "late answer"})


async def play(handler, text="hello", sender="sender-1", metadata=None):
    out = CollectingOutputChannel()
    await guard.guarded(handler)(UserMessage(text, out, sender, metadata=metadata))
    return [m.get("text") for m in out.messages]


DUTCH = "Hoeveel vakantiedagen krijg ik bij jullie?"
SQL = "'; DROP TABLE candidates; --"


async def main():
    print(json.dumps({
        "answers": await play(answers),
        "too_long": await play(answers, "x" * 61),
        "dutch": await play(answers, DUTCH),
        "sql": await play(answers, SQL),
        "dutch_in_form": await play(answers, DUTCH, sender="in-form"),
        "dutch_paused": await play(answers, DUTCH, sender="paused"),
        "payload": await play(answers, '/choose{"x": "select * from jobs"}'),
        "short": await play(answers, "Jan de Vries"),
        "window_key": await play(echo_metadata, metadata={"client_key": "k" * 32, "client_key_hash": "f" * 64, "page": "/"}),
        "forged_hash": await play(echo_metadata, metadata={"client_key_hash": "f" * 64}),
        "short_key": await play(echo_metadata, metadata={"client_key": "short"}),
        "silent": await play(silent),
        "crashes": await play(crashes),
        "answers_then_save_fails": await play(answers_then_save_fails),
        "store_fails_silently_in_rasa": await play_with_failing_store(),
        "slow": await play(slow),
    }))


asyncio.run(main())
