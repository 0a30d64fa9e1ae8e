"""The client address the Rasa channels give the abuse limits: X-Forwarded-For believed only from trusted
proxies, the client's own claim replaced; checked on the function and on both channels of the running Rasa."""

from __future__ import annotations

import asyncio
import sys
import uuid

import httpx
import pytest

from assistant.settings import ROOT

sys.path.insert(0, str(ROOT / "rasa_channel"))  # the channel package (standard library only in this module)
from rasa_channel import client as channel_client  # noqa: E402


@pytest.mark.parametrize(("peer", "forwarded", "expected"), [
    ("203.0.113.9", None, "203.0.113.9"),  # no proxy: the peer
    ("203.0.113.9", "198.51.100.7", "203.0.113.9"),  # an untrusted peer cannot claim another address
    ("127.0.0.1", "198.51.100.7", "198.51.100.7"),  # behind the local proxy: the address it saw
    ("127.0.0.1", "198.51.100.7, 127.0.0.1", "198.51.100.7"),  # trusted hops are skipped
    ("127.0.0.1", "192.0.2.66, 198.51.100.7", "198.51.100.7"),  # what the client itself put first is not believed
    ("127.0.0.1", "garbage", "127.0.0.1"),  # a malformed header: the proxy itself
    ("::1", None, "::1"),
])
def test_the_client_address_trusts_forwarded_for_only_from_trusted_proxies(peer, forwarded, expected, monkeypatch):
    monkeypatch.delenv("ASSISTANT_TRUSTED_PROXIES", raising=False)
    assert channel_client.client_address(peer, forwarded) == expected


def test_trusted_proxies_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("ASSISTANT_TRUSTED_PROXIES", '["10.0.0.0/8"]')
    assert channel_client.client_address("10.1.2.3", "198.51.100.7") == "198.51.100.7"
    assert channel_client.client_address("127.0.0.1", "198.51.100.7") == "127.0.0.1"
    assert channel_client.with_client({"client_address": "192.0.2.1", "page": "/jobs"}, "10.1.2.3", "198.51.100.8") == {
        "client_address": "198.51.100.8", "page": "/jobs"}


def _recorded_client(stack, sender: str) -> list[str]:
    events = stack.tracker(sender)["events"]
    return [(e.get("metadata") or {}).get("client_address") for e in events if e.get("event") == "user"]


def test_both_channels_record_the_client_address_behind_the_proxy(stack):
    import socketio

    sender = f"addr-rest-{uuid.uuid4().hex[:8]}"
    body = {"sender": sender, "message": "hello", "metadata": {"client_address": "192.0.2.1"}}
    httpx.post(f"{stack.rasa_url}/webhooks/rest/webhook", json=body, headers={"X-Forwarded-For": "198.51.100.31"},
               timeout=60).raise_for_status()
    assert _recorded_client(stack, sender) == ["198.51.100.31"]

    async def over_socketio() -> str:
        client, session_id, replied = socketio.AsyncClient(), f"addr-sio-{uuid.uuid4().hex[:8]}", asyncio.Event()
        confirmed = asyncio.Event()
        client.on("session_confirm", lambda data: confirmed.set())
        client.on("bot_uttered", lambda data: replied.set())
        await client.connect(stack.rasa_url, transports=["websocket"], headers={"X-Forwarded-For": "198.51.100.32"})
        await client.emit("session_request", {"session_id": session_id})
        await asyncio.wait_for(confirmed.wait(), 10)
        await client.emit("user_uttered", {"message": "hello", "session_id": session_id,
                                           "customData": {"client_address": "192.0.2.1"}})
        await asyncio.wait_for(replied.wait(), 30)
        await client.disconnect()
        return session_id

    session_id = asyncio.run(over_socketio())
    assert _recorded_client(stack, session_id) == ["198.51.100.32"]


def test_the_stack_gives_rasa_the_trusted_proxies_from_the_settings(monkeypatch):
    from assistant import stack as stack_module
    from assistant.settings import get_settings

    settings = get_settings()
    monkeypatch.setattr(settings, "trusted_proxies", ["10.0.0.0/8"])
    env = stack_module.rasa_env(settings)
    monkeypatch.setenv("ASSISTANT_TRUSTED_PROXIES", env["ASSISTANT_TRUSTED_PROXIES"])
    assert channel_client.client_address("10.1.2.3", "198.51.100.7") == "198.51.100.7"
