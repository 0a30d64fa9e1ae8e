"""Run by test_guard.py with .venv-rasa's Python (the guard imports Rasa): plays the guard against fake turns
and prints what the candidate would receive in each case, as JSON."""

import asyncio
import json
import os

os.environ.update({"ASSISTANT_MAX_MESSAGE_CHARS": "20", "ASSISTANT_TURN_BUDGET_SECONDS": "0.3",
                   "ASSISTANT_RECRUITING_EMAIL": "jobs@example.org"})

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage  # noqa: E402

from rasa_channel import guard  # noqa: E402


async def no_tracker_store(_sender):  # the edges: no Rasa agent in this process
    return None


guard._is_paused = lambda sender: asyncio.sleep(0, result=False)  # noqa: E731
guard._listen_again = no_tracker_store


async def answers(message):
    await message.output_channel.send_response(message.sender_id, {"text": "an answer"})


async def silent(message):
    return None


async def crashes(message):
    raise RuntimeError("tracker store down")


async def slow(message):
    await asyncio.sleep(1.0)
    await message.output_channel.send_response(message.sender_id, {"text": "late answer"})


async def play(handler, text="hello"):
    out = CollectingOutputChannel()
    await guard.guarded(handler)(UserMessage(text, out, "sender-1"))
    return [m.get("text") for m in out.messages]


async def main():
    print(json.dumps({
        "answers": await play(answers),
        "too_long": await play(answers, "x" * 21),
        "silent": await play(silent),
        "crashes": await play(crashes),
        "slow": await play(slow),
    }))


asyncio.run(main())
