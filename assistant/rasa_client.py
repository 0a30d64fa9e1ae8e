"""A small client of the Rasa server's HTTP API (token from settings): read a tracker, append events."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

from assistant.settings import get_settings


class RasaUnavailable(Exception):
    """The Rasa server could not be reached or refused the request."""


def _url(conversation_id: str, suffix: str = "") -> str:
    return f"{get_settings().rasa_url}/conversations/{quote(conversation_id, safe='')}/tracker{suffix}"


def _request(method: str, url: str, **kwargs: Any) -> Any:
    params = {"token": get_settings().secret("rasa_token"), **kwargs.pop("params", {})}
    try:
        response = httpx.request(method, url, params=params, timeout=kwargs.pop("timeout", 10.0), **kwargs)
        response.raise_for_status()
    except httpx.HTTPError as error:
        raise RasaUnavailable(f"Rasa {method} failed: {type(error).__name__}") from error
    return response.json()


def get_tracker(*, conversation_id: str) -> dict[str, Any]:
    """Returns the conversation's tracker (all events since the last restart)."""
    return _request("GET", _url(conversation_id))


def append_events(*, conversation_id: str, events: list[dict[str, Any]], push: bool = True) -> dict[str, Any]:
    """Appends events and returns the tracker; with push, bot messages reach the candidate's open chat.

    Pushing asks Rasa to execute the events' side effects on the conversation's latest input channel
    (socket.io for the chat widget; the REST channel cannot push).
    """
    params = {"output_channel": "latest", "execute_side_effects": "true"} if push else {}
    return _request("POST", _url(conversation_id, "/events"), json=events, params=params)


def replace_events(*, conversation_id: str, events: list[dict[str, Any]]) -> dict[str, Any]:
    """Replaces every event of the conversation (used by tests to age a conversation); returns the tracker."""
    return _request("PUT", _url(conversation_id, "/events"), json=events)


def parse(*, text: str, base_url: str | None = None) -> dict[str, Any]:
    """Returns Rasa NLU's parse of text (intent and ranking)."""
    url = f"{base_url or get_settings().rasa_url}/model/parse"
    return _request("POST", url, json={"text": text}, timeout=30.0)


def socketio_custom(payload: dict[str, Any]) -> dict[str, Any]:
    """Returns a custom payload in the shape Rasa 3.6's socket.io channel can send.

    Its ``send_custom_json`` calls ``sio.emit(event, **payload)``: the payload must sit under "data"
    (the widget then receives it as is); any other top-level key makes the emit raise.
    """
    return {"data": payload}
