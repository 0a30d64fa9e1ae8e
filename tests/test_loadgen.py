"""The load generator against a stand-in REST channel: turns counted, failures and empty replies are errors,
the open loop sends its schedule whatever the replies' speed, and each conversation follows the script."""

from __future__ import annotations

import asyncio
import json
import threading
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from assistant import loadgen


@pytest.fixture
def channel():
    received = defaultdict(list)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            received[body["sender"]].append(body["message"])
            status, reply = {"fail": (500, []), "silent": (200, [])}.get(body["message"], (200, [{"text": "ok"}]))
            data = json.dumps(reply).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/webhooks/rest/webhook", received
    server.shutdown()


def test_closed_loop_counts_answered_turns_and_errors(channel):
    url, received = channel
    result = asyncio.run(loadgen.closed_loop(url, ["hello", "fail", "silent"], candidates=3, seconds=2.0))
    assert result.turns == sum(len(messages) for messages in received.values())
    assert result.errors == sum(m in ("fail", "silent") for messages in received.values() for m in messages) > 0
    assert {message for _, message in result.answered} == {"hello"}
    for messages in received.values():  # every candidate follows the script from its start
        assert messages == ["hello", "fail", "silent"][: len(messages)]
    figures = result.figures()
    assert figures["turns_per_s"] > 0 and figures["p50_ms"] <= figures["p95_ms"] <= figures["max_ms"]


def test_open_loop_sends_rate_times_seconds_turns_in_script_order(channel):
    url, received = channel
    result = asyncio.run(loadgen.open_loop(url, ["a", "b", "c"], rate=20, seconds=1.0))
    assert result.turns == 20 and result.errors == 0
    assert 0.9 <= result.seconds < 3.0  # the last of 20 turns leaves at 0.95 s
    for messages in received.values():
        assert messages == ["a", "b", "c"][: len(messages)]
    again = asyncio.run(loadgen.open_loop(url, ["a"], rate=10, seconds=0.5, result=result))
    assert again is result and result.turns == 25, "a result passed in adds the new turns"
