"""The generated HAProxy configuration, run by the real HAProxy in front of two stand-in replicas: every
request that names a conversation reaches the same replica, however it names it."""

from __future__ import annotations

import json
import subprocess
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from assistant import cluster

HTTP = httpx.Client(timeout=10)  # one client: a new one per request costs more than the request


def _replica(name: str) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            body = json.dumps({"replica": name, "forwarded_for": self.headers.get("X-Forwarded-For")}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer

        def log_message(self, *_args) -> None:
            pass

        def handle(self) -> None:
            try:
                super().handle()
            except ConnectionResetError:  # HAProxy's health checks hang up early
                pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def proxy(tmp_path_factory):
    replicas = [_replica("rasa-1"), _replica("rasa-2")]
    apis = [_replica("api-1"), _replica("api-2")]
    rasa_port, api_port = cluster.free_port(), cluster.free_port()
    config = tmp_path_factory.mktemp("haproxy") / "haproxy.cfg"
    config.write_text(cluster.haproxy_config(
        host="127.0.0.1", rasa_port=rasa_port, api_port=api_port,
        rasa_ports=[s.server_address[1] for s in replicas], api_ports=[s.server_address[1] for s in apis]))
    proc = subprocess.Popen([cluster.HAPROXY, "-db", "-f", str(config)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{api_port}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None, proc.stdout.read().decode()
            assert time.monotonic() < deadline, "HAProxy did not start"
            time.sleep(0.1)
        yield {"rasa": f"http://127.0.0.1:{rasa_port}", "api": f"http://127.0.0.1:{api_port}"}
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        for server in replicas + apis:
            server.shutdown()


def _replica_of(response: httpx.Response) -> str:
    response.raise_for_status()
    return response.json()["replica"]


def test_rest_socketio_and_pushes_of_one_conversation_reach_the_same_rasa_replica(proxy):
    seen = {}
    for _ in range(40):
        conversation = uuid.uuid4().hex
        rasa = proxy["rasa"]
        by_body = _replica_of(HTTP.post(f"{rasa}/webhooks/rest/webhook", json={"sender": conversation, "message": "hi"}))
        by_socket = _replica_of(HTTP.get(f"{rasa}/socket.io/", params={"conversation": conversation, "EIO": "4",
                                                                         "transport": "polling"}))
        by_path = _replica_of(HTTP.post(f"{rasa}/conversations/{conversation}/tracker/events", json=[]))
        assert by_body == by_socket == by_path, conversation
        for _ in range(3):  # and always the same one
            assert _replica_of(HTTP.post(f"{rasa}/webhooks/rest/webhook", json={"sender": conversation})) == by_body
        seen[conversation] = by_body
    assert set(seen.values()) == {"rasa-1", "rasa-2"}, "conversations are spread over both replicas"


def test_requests_without_a_conversation_and_api_requests_go_round_robin(proxy):
    assert {_replica_of(HTTP.get(f"{proxy['rasa']}/")) for _ in range(6)} == {"rasa-1", "rasa-2"}
    assert {_replica_of(HTTP.get(f"{proxy['api']}/health")) for _ in range(6)} == {"api-1", "api-2"}


def test_rasa_replicas_learn_the_clients_address_from_the_proxy(proxy):
    """The abuse limits count per client address: HAProxy tells the replica who connected (X-Forwarded-For)."""
    response = HTTP.post(f"{proxy['rasa']}/webhooks/rest/webhook", json={"sender": uuid.uuid4().hex, "message": "hi"})
    assert response.json()["forwarded_for"] == "127.0.0.1"
