"""Rasa's channels from the settings: socket.io only for our origins, REST off in production unless it has a token."""

from __future__ import annotations

import json
import subprocess

import httpx
import pytest
import yaml

from assistant import stack as stack_module
from assistant.settings import Settings

STRONG = "kP3x9Lq2vR7mT1wZ8nB4cY6hJ0dF5sGa"


def production(tmp_path, **extra) -> Settings:
    secrets = {name: f"{STRONG}-{name}" for name in ("rasa_token", "candidate_token_secret", "session_secret", "ats_api_key",
                                                "reindex_token")}
    return Settings(env="production", data_dir=tmp_path, public_url="https://careers.example",
                    cors_origins=["https://www.example.com"], **secrets, **extra)


def test_production_has_no_rest_channel_without_a_token_and_socketio_only_for_its_origins(tmp_path):
    channels = yaml.safe_load(stack_module.write_credentials(production(tmp_path)).read_text())
    assert list(channels) == ["rasa_channel.channels.SocketIOInput"]
    assert channels["rasa_channel.channels.SocketIOInput"]["allowed_origins"] == ["https://careers.example",
                                                                                  "https://www.example.com"]
    with_token = production(tmp_path, rest_channel_token=STRONG)
    assert "rasa_channel.channels.RestInput" in yaml.safe_load(stack_module.write_credentials(with_token).read_text())
    assert stack_module.rasa_env(with_token)["ASSISTANT_REST_CHANNEL_TOKEN"] == STRONG


def test_production_refuses_a_weak_rest_channel_token(tmp_path):
    with pytest.raises(ValueError, match="ASSISTANT_REST_CHANNEL_TOKEN"):
        production(tmp_path, rest_channel_token="secret")


TOKEN_CASES = """
import json, os
os.environ["ASSISTANT_REST_CHANNEL_TOKEN"] = "the-token"
from rasa_channel.channels import refuse_without_token
class Request:
    def __init__(self, path, auth=None):
        self.path, self.headers = path, ({"authorization": auth} if auth else {})
print(json.dumps({name: getattr(refuse_without_token(Request(*args)), "status", None) for name, args in {
    "none": ("/webhooks/rest/webhook",), "wrong": ("/webhooks/rest/webhook", "Bearer nope"),
    "right": ("/webhooks/rest/webhook", "Bearer the-token"), "health": ("/webhooks/rest/",)}.items()}))
"""


def test_the_rest_channel_refuses_calls_without_its_token():
    out = subprocess.run([str(stack_module.RASA_PYTHON), "-c", TOKEN_CASES], env=stack_module.rasa_env(),
                         capture_output=True, text=True, timeout=120, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == {"none": 401, "wrong": 401, "right": None, "health": None}


@pytest.mark.stack
def test_socketio_refuses_a_page_from_another_origin(stack):
    url = f"{stack.rasa_url}/socket.io/?EIO=4&transport=polling"
    assert httpx.get(url, headers={"Origin": "https://evil.example"}, timeout=10).status_code == 400
    allowed = httpx.get(url, headers={"Origin": stack.settings.public_url}, timeout=10)
    assert allowed.status_code == 200 and allowed.text.startswith("0{")
