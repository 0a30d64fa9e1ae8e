"""Every candidate message gets a reply: over-long messages are refused before NLU, junk and messages in
another language get an honest notice before NLU (``assistant.language.screening``, so NLU never mistakes a
Dutch question for distress), and a turn that produced nothing (action server down, database or index failing,
a crash inside Rasa) or took too long gets a short honest message instead of silence.

Settings come from the environment the stack gives the Rasa process (this package cannot import the app's
settings: Rasa pins pydantic 1): ``ASSISTANT_MAX_MESSAGE_CHARS``, ``ASSISTANT_RECRUITING_EMAIL``,
``ASSISTANT_TURN_BUDGET_SECONDS``.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels.channel import UserMessage

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


def max_message_chars() -> int:
    return int(os.environ.get("ASSISTANT_MAX_MESSAGE_CHARS", "2000"))


def turn_budget_seconds() -> float:
    return float(os.environ.get("ASSISTANT_TURN_BUDGET_SECONDS", "4.5"))


def recruiting_email() -> str:
    return os.environ.get("ASSISTANT_RECRUITING_EMAIL", "")


def too_long_text(limit: int) -> str:
    return (f"That message is too long for me to read: please keep it under {limit:,} characters. "
            "You could send the most important part first.")


def _or_email(joiner: str) -> str:
    """Returns the way to the recruiting team that ends a notice (empty when no address is configured)."""
    email = recruiting_email()
    return f"{joiner}or e-mail {email}" if email else ""


CANNOT_ANSWER = "Sorry, I can't answer that right now because of a technical problem on our side. "


def unavailable_text() -> str:
    return f"{CANNOT_ANSWER}Nothing you sent is lost. Please try again in a few minutes{_or_email(' ')}."


def failed_text() -> str:
    """What a turn that raised gets: it may not have been stored, so the candidate is asked to send it again."""
    return f"{CANNOT_ANSWER}Please send your message again in a few minutes{_or_email(', ')}."


def slow_text() -> str:
    return ("Sorry, this is taking longer than it should because of a technical problem on our side. "
            f"I'll answer here as soon as I can{_or_email(', ')}.")


def _agent() -> Any:
    from sanic import Sanic

    return Sanic.get_app().ctx.agent


async def _conversation_state(sender_id: str) -> Optional[Any]:
    """Returns the conversation's tracker, or None when it is new or the tracker store cannot be read."""
    try:
        return await _agent().tracker_store.retrieve(sender_id)
    except Exception:  # noqa: BLE001 - the tracker store may be the thing that is down
        logger.warning("could not read the conversation", exc_info=True)
        return None


def _screen(text: str) -> Any:
    from assistant.language.screening import screen  # the repository root is on Rasa's PYTHONPATH

    return screen(text, recruiting_email=recruiting_email())


async def _screening_notice(message: UserMessage) -> Optional[str]:
    """Returns the notice for junk or another language, or None when the message goes to NLU as usual.

    Button payloads, form answers (a name, a city or a code can look like anything) and conversations a
    person has taken over always go through.
    """
    text = message.text or ""
    if not text.strip() or text.startswith("/"):
        return None
    try:
        result = await asyncio.get_running_loop().run_in_executor(None, _screen, text)
    except Exception:  # noqa: BLE001 - screening is a courtesy; without it NLU still answers
        logger.warning("could not screen the message", exc_info=True)
        return None
    if result.reply is None:
        return None
    tracker = await _conversation_state(message.sender_id)
    if tracker is not None and (tracker.is_paused() or tracker.active_loop_name):
        return None
    logger.info("message screened before NLU: %s %s", result.verdict, result.language or result.junk_kind)
    return result.reply


def warm_up() -> None:
    """Loads the language models in the background, so the first candidate does not wait for them."""
    try:
        from assistant.language import detection

        detection.warm_up()
    except Exception:  # noqa: BLE001 - screening then loads them on first use
        logger.warning("could not start loading the language models", exc_info=True)


def _raise(error: Exception) -> None:
    raise error


def fail_loudly_when_the_tracker_store_fails() -> None:
    """Makes Rasa's tracker store raise instead of falling back to memory when its database fails.

    Rasa wraps the store in a FailSafeTrackerStore that then keeps the turn in process memory and answers as
    if all were well; once the database is back the turn is gone, although the candidate saw an answer. Raised,
    the error reaches ``guarded``, which withdraws the answer and asks the candidate to send the message again.
    """
    try:
        store = _agent().tracker_store
    except Exception:  # noqa: BLE001 - no agent yet (or not in a Rasa server): nothing to change
        return
    if hasattr(store, "_on_tracker_store_error") and store._on_tracker_store_error is not _raise:
        store._on_tracker_store_error = _raise


async def _is_paused(sender_id: str) -> bool:
    """Returns True when a person has the conversation (then silence from the bot is intended)."""
    tracker = await _conversation_state(sender_id)
    return bool(tracker is not None and tracker.is_paused())


async def _listen_again(sender_id: str) -> None:
    """Ends a failed turn with action_listen, so the next message is served normally.

    Rasa counts the actions predicted since the last action_listen; a turn whose actions all failed leaves
    ten of them behind and would trip the circuit breaker on every later message of the conversation.
    """
    from rasa.shared.core.events import ActionExecuted

    try:
        agent = _agent()
        async with agent.lock_store.lock(sender_id):
            tracker = await agent.tracker_store.retrieve(sender_id)
            if tracker is not None and tracker.latest_action_name != "action_listen":
                tracker.update(ActionExecuted("action_listen"))
                await agent.tracker_store.save(tracker)
    except Exception:  # noqa: BLE001 - best effort; the notice was sent already
        logger.warning("could not end the failed turn", exc_info=True)


CLIENT_KEY = "client_key"  # the chat window's random key, as the widget sends it
CLIENT_KEY_HASH = "client_key_hash"  # what Rasa records and the actions compare (assistant.identity.service)
MAX_CLIENT_KEY_CHARS = 200


def bind_client_key(message: UserMessage) -> None:
    """Replaces the chat window's key in the metadata by its SHA-256, before Rasa records the message.

    The tracker (which staff tools and exports read) then never holds a key that could be replayed, and a
    hash sent by a client is dropped: only this channel sets it.
    """
    metadata = message.metadata if isinstance(message.metadata, dict) else {}
    key = metadata.pop(CLIENT_KEY, None)
    metadata.pop(CLIENT_KEY_HASH, None)
    if isinstance(key, str) and 16 <= len(key) <= MAX_CLIENT_KEY_CHARS:
        metadata[CLIENT_KEY_HASH] = hashlib.sha256(key.encode()).hexdigest()
    message.metadata = metadata


class _Counting:
    """Wraps an output channel's send_response to count what the bot sent this turn."""

    def __init__(self, output_channel: Any) -> None:
        self.sent = 0
        original = output_channel.send_response

        async def send_response(recipient_id: str, message: Dict[str, Any]) -> None:
            self.sent += 1
            await original(recipient_id, message)

        output_channel.send_response = send_response


def guarded(on_new_message: OnNewMessage) -> OnNewMessage:
    """Returns on_new_message with the length limit and screening in front and an honest reply when a turn
    yields nothing."""
    warm_up()

    async def handle(message: UserMessage) -> None:
        fail_loudly_when_the_tracker_store_fails()
        bind_client_key(message)
        text = message.text or ""
        limit = max_message_chars()
        if len(text) > limit:
            logger.info("message over the length limit refused before NLU (%d chars)", len(text))
            await message.output_channel.send_text_message(message.sender_id, too_long_text(limit))
            return
        notice = await _screening_notice(message)
        if notice is not None:
            await message.output_channel.send_text_message(message.sender_id, notice)
            return
        counter = _Counting(message.output_channel)
        task = asyncio.ensure_future(on_new_message(message))
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout=turn_budget_seconds())
        except asyncio.TimeoutError:
            # The turn goes on (its reply still reaches an open socket.io chat); the candidate hears now.
            logger.warning("turn over its time budget; sent the delay notice")
            await message.output_channel.send_text_message(message.sender_id, slow_text())
            return
        except Exception:  # noqa: BLE001 - whatever failed, the candidate gets an answer
            # The tracker may not have been saved (its store down): replies collected for this turn (REST)
            # are withdrawn, so an answer never stands for a message that was not kept.
            logger.exception("turn failed inside Rasa; sent the failed-turn notice")
            collected = getattr(message.output_channel, "messages", None)
            if isinstance(collected, list):
                del collected[:]
            await message.output_channel.send_text_message(message.sender_id, failed_text())
            await _listen_again(message.sender_id)
            return
        if counter.sent == 0 and not await _is_paused(message.sender_id):
            logger.warning("turn produced no reply (action server or its data unavailable?); sent the notice")
            await message.output_channel.send_text_message(message.sender_id, unavailable_text())
            await _listen_again(message.sender_id)

    return handle
