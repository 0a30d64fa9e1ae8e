"""Rasa's REST and socket.io input channels with the guard of ``rasa_channel.guard`` in front.

Named like Rasa's own ("rest", "socketio"), so webhook paths and recorded input channels do not change.
In credentials.yml: ``rasa_channel.channels.RestInput`` and ``rasa_channel.channels.SocketIOInput``.
The socket.io channel accepts only the origins in ``allowed_origins`` when that credential is set.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.core.channels import rest, socketio
from rasa.core.channels.channel import InputChannel

from rasa_channel.guard import OnNewMessage, guarded


class RestInput(rest.RestInput):
    def blueprint(self, on_new_message: OnNewMessage):  # type: ignore[no-untyped-def]
        return super().blueprint(guarded(on_new_message))


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
        return blueprint
