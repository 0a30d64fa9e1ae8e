"""Plugins of the action server: rasa-sdk imports this package by name and calls ``init_hooks``.

The one plugin answers a ``POST /webhook`` whose latest message is longer than ``max_message_chars``
before rasa-sdk runs any action (``actions.message_limit``).
"""

from __future__ import annotations

import json
import zlib

import pluggy
from sanic import Sanic, response
from sanic.request import Request

from actions.message_limit import overlong_reply

hookimpl = pluggy.HookimplMarker("rasa_sdk")


async def _refuse_overlong(request: Request):
    if request.method == "POST" and request.path == "/webhook":
        try:  # Rasa deflates the call when COMPRESS_ACTION_SERVER_REQUEST is set
            body = zlib.decompress(request.body) if request.headers.get("Content-Encoding") == "deflate" else request.body
            action_call = json.loads(body)
        except (ValueError, zlib.error):  # malformed calls are rasa-sdk's to answer
            return None
        reply = overlong_reply(action_call) if isinstance(action_call, dict) else None
        if reply is not None:
            return response.json(reply)
    return None


class MessageLimitPlugin:
    @hookimpl
    def attach_sanic_app_extensions(self, app: Sanic) -> None:
        app.register_middleware(_refuse_overlong, "request")


def init_hooks(manager: pluggy.PluginManager) -> None:
    """Registers the action server's plugins (called by rasa-sdk)."""
    manager.register(MessageLimitPlugin())
