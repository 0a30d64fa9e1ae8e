"""Secrets never appear on a command line: no process of the running stack (nor any other process on
this machine) carries a secret in its argv, and Rasa's HTTP API still requires its token."""

from __future__ import annotations

from pathlib import Path

import httpx

from assistant.settings import SECRET_FIELDS, get_settings


def _command_lines() -> list[str]:
    lines = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            lines.append(cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace"))
        except OSError:  # the process ended meanwhile, or is not ours to read
            continue
    return lines


def test_no_process_has_a_secret_on_its_command_line(stack):
    settings = get_settings()
    lines = _command_lines()
    assert any("rasa_serve.py run --enable-api" in line for line in lines), "the stack's Rasa server is running"
    for name in SECRET_FIELDS:
        assert not [line for line in lines if settings.secret(name) in line], f"{name} is visible in ps"


def test_rasa_http_api_needs_the_token(stack):
    url = f"{stack.settings.rasa_url}/conversations/secrets-test/tracker"
    assert httpx.get(url, timeout=10).status_code == 401
    assert httpx.get(url, params={"token": "wrong"}, timeout=10).status_code == 401
    assert httpx.get(url, params={"token": get_settings().secret("rasa_token")}, timeout=10).status_code == 200
