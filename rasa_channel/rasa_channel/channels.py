"""Rasa's REST and socket.io input channels with the guard of ``rasa_channel.guard`` in front.

Named like Rasa's own ("rest", "socketio"), so webhook paths and recorded input channels do not change.
In credentials.yml (written by assistant/stack.py): ``rasa_channel.channels.RestInput`` and
``rasa_channel.channels.SocketIOInput``. The socket.io channel accepts only the origins in ``allowed_origins``
when that credential is set; the REST channel requires ``Authorization: Bearer <ASSISTANT_REST_CHANNEL_TOKEN>``
when that variable is set.
"""

from __future__ import annotations

import hmac
import json
import os
from typing import Any, Dict, List, Optional, Text

from rasa.core.channels import rest, socketio
from rasa.core.channels.channel import InputChannel
from sanic import response

from rasa_channel.client import with_client
from rasa_channel.guard import OnNewMessage, guarded


def refuse_without_token(request: Any) -> Optional[Any]:
    """Returns a 401 response for a REST webhook call without the channel's token (when one is set), else None."""
    token = os.environ.get("ASSISTANT_REST_CHANNEL_TOKEN", "")
    if not token or not request.path.endswith("/webhook"):
        return None
    given = request.headers.get("authorization", "")
    if hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return None
    return response.json({"error": "this channel needs its token: Authorization: Bearer <token>"}, status=401)


class RestInput(rest.RestInput):
    def get_metadata(self, request: Any) -> Optional[Dict[Text, Any]]:
        """Returns the message's metadata with the client address added (for the abuse limits)."""
        return with_client(super().get_metadata(request), request.ip, request.headers.get("x-forwarded-for"))

    def blueprint(self, on_new_message: OnNewMessage):  # type: ignore[no-untyped-def]
        blueprint = super().blueprint(guarded(on_new_message))
        blueprint.middleware("request")(refuse_without_token)
        return blueprint


class SocketIOInput(socketio.SocketIOInput):
    allowed_origins: List[str] = []

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        channel = super().from_credentials(credentials)
        origins = (credentials or {}).get("allowed_origins") or []
        channel.allowed_origins = [origins] if isinstance(origins, str) else list(origins)
        return channel

    def blueprint(self, on_new_message: OnNewMessage):  # type: ignore[no-untyped-def]
        blueprint = super().blueprint(guarded(on_new_message))
        if self.allowed_origins and self.sio is not None:
            self.sio.eio.cors_allowed_origins = self.allowed_origins
        self._add_client_address()
        return blueprint

    def _add_client_address(self) -> None:
        """Wraps Rasa's message handler so each message's metadata carries the connection's client address."""
        sio, namespace = self.sio, self.namespace or "/"
        handle_message = sio.handlers[namespace][self.user_message_evt]

        async def handle(sid: Text, data: Dict) -> None:
            request = (sio.get_environ(sid, namespace=namespace) or {}).get("sanic.request")
            peer = request.ip if request is not None else ""
            forwarded = request.headers.get("x-forwarded-for") if request is not None else None
            data = dict(data or {})
            metadata = data.get(self.metadata_key) or {}
            if isinstance(metadata, str):
                try:
                    metadata = json.loads(metadata)
                except ValueError:
                    metadata = {}
            data[self.metadata_key] = with_client(metadata, peer, forwarded)
            await handle_message(sid, data)

        sio.handlers[namespace][self.user_message_evt] = handle
