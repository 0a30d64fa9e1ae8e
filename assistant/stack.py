"""The processes of the stack (Rasa server, action server, API): commands, Rasa config, training, health.

One place used by ``assistant run`` and by the integration-test fixtures, so tests start exactly
what users start.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import httpx

from assistant.settings import ROOT, Settings

RASA_DIR = ROOT / "assistant" / "rasa"
RASA_BIN = ROOT / ".venv-rasa" / "bin" / "rasa"
RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"
RASA_SERVE = ROOT / "scripts" / "rasa_serve.py"  # rasa run with the API token from the environment, not argv
APP_PYTHON = ROOT / ".venv" / "bin" / "python"
TRAINING_INPUTS = [ROOT / "config.yml", RASA_DIR / "domain", RASA_DIR / "data"]


@dataclass
class Service:
    name: str
    cmd: list[str]
    health_url: str
    env: dict[str, str] = field(default_factory=dict)


def model_dir(settings: Settings) -> Path:
    return settings.models_dir


def training_fingerprint() -> str:
    """Returns a hash of everything Rasa trains on (config, domain, training data)."""
    digest = hashlib.sha256()
    for root in TRAINING_INPUTS:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*.yml"))
        for path in files:
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def train_if_needed(settings: Settings, *, force: bool = False) -> bool:
    """Trains the Rasa model when config, domain or data changed; returns True if it trained."""
    import fcntl

    out = model_dir(settings)
    out.mkdir(parents=True, exist_ok=True)
    with open(out / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one training at a time on this model folder
        return _train_locked(out, force)


def _train_locked(out: Path, force: bool) -> bool:
    stamp = out / ".fingerprint"
    fingerprint = training_fingerprint()
    model = out / "assistant.tar.gz"
    if not force and model.exists() and stamp.exists() and stamp.read_text() == fingerprint:
        return False
    subprocess.run(
        [str(RASA_BIN), "train", "--config", "config.yml", "--domain", str(RASA_DIR / "domain"),
         "--data", str(RASA_DIR / "data"), "--out", str(out), "--fixed-model-name", "assistant"],
        cwd=ROOT, check=True, env=rasa_env(),
    )
    stamp.write_text(fingerprint)
    return True


def rasa_env(settings: Settings | None = None) -> dict[str, str]:
    """Returns the environment for Rasa processes (quiet telemetry, no downloads; our channel's settings).

    This checkout's rasa_channel/ goes first on PYTHONPATH, so a worktree runs its own channel code; the
    repository root follows, for the one app module the channel uses (``assistant.language``, standard
    library and lingua only).
    """
    env = dict(os.environ)
    env.update({"RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2", "HF_HUB_OFFLINE": "1",
                "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
                "RASA_CACHE_DIRECTORY": str(ROOT / "var" / "rasa-cache"),
                "PYTHONPATH": os.pathsep.join([str(ROOT / "rasa_channel"), str(ROOT)])})
    if settings is not None:
        env.update({"ASSISTANT_MAX_MESSAGE_CHARS": str(settings.max_message_chars),
                    "ASSISTANT_RECRUITING_EMAIL": settings.recruiting_email,
                    "ASSISTANT_TURN_BUDGET_SECONDS": str(settings.turn_budget_seconds),
                    "ASSISTANT_REST_CHANNEL_TOKEN": settings.secret("rest_channel_token"),
                    "ASSISTANT_TRUSTED_PROXIES": json.dumps(settings.trusted_proxies)})  # rasa_channel.client
    return env


def write_endpoints(settings: Settings, *, action_port: int | None = None, name: str = "endpoints") -> tuple[Path, dict[str, str]]:
    """Writes Rasa's endpoints.yml from settings; returns its path and the env vars holding its secrets.

    Passwords never go into the file: Rasa substitutes ${VAR} from the environment.
    """
    lines = ["action_endpoint:", f"  url: http://127.0.0.1:{action_port or settings.action_port}/webhook", ""]
    secret_env: dict[str, str] = {}
    tracker = urlparse(settings.tracker_store_url)
    if tracker.scheme.startswith("sqlite"):
        db_path = settings.tracker_store_url.split(":///", 1)[1]
        lines += ["tracker_store:", "  type: SQL", "  dialect: sqlite", f"  db: {db_path}", ""]
    else:
        secret_env["ASSISTANT_TRACKER_PASSWORD"] = tracker.password or ""
        lines += ["tracker_store:", "  type: SQL", "  dialect: postgresql", f"  url: {tracker.hostname}",
                  f"  port: {tracker.port or 5432}", f"  username: {tracker.username}",
                  "  password: ${ASSISTANT_TRACKER_PASSWORD}", f"  db: {tracker.path.lstrip('/')}",
                  "  login_db: postgres", ""]
    if settings.redis_url:
        redis = urlparse(settings.redis_url)
        secret_env["ASSISTANT_REDIS_PASSWORD"] = redis.password or ""
        lines += ["lock_store:", "  type: redis", f"  url: {redis.hostname}", f"  port: {redis.port or 6379}",
                  "  password: ${ASSISTANT_REDIS_PASSWORD}", f"  db: {(redis.path or '/0').lstrip('/') or 0}",
                  "  key_prefix: candidateassistant", ""]  # Rasa ignores a prefix that is not alphanumeric
    path = settings.data_dir / "rasa" / f"{name}.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines))
    return path, secret_env


def widget_origins(settings: Settings) -> list[str]:
    """Returns the browser origins that show the chat widget: the API's own pages and the career sites."""
    return sorted({settings.public_url, *settings.cors_origins})


def write_credentials(settings: Settings) -> Path:
    """Writes Rasa's credentials.yml (its channels) from settings; returns its path.

    socket.io accepts only the origins that show the widget (the API's own pages and ``cors_origins``).
    The REST channel serves tests and simple integrations: in production it is off unless
    ``ASSISTANT_REST_CHANNEL_TOKEN`` is set, and then (in any environment) every call needs that token.
    """
    lines = ["# Written by assistant/stack.py from the settings at every start: edit the settings, not this file.", ""]
    if settings.env != "production" or settings.rest_channel_token is not None:
        lines += ["rasa_channel.channels.RestInput:", ""]
    lines += ["rasa_channel.channels.SocketIOInput:", "  user_message_evt: user_uttered", "  bot_message_evt: bot_uttered",
              "  session_persistence: true", "  metadata_key: customData", "  allowed_origins:",
              *[f"    - {json.dumps(origin)}" for origin in widget_origins(settings)], ""]
    path = settings.data_dir / "rasa" / "credentials.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines))
    return path


def rasa_server(settings: Settings, *args: str) -> tuple[list[str], dict[str, str]]:
    """Returns the command and extra environment of a Rasa server with its HTTP API on (token in the env)."""
    return ([str(RASA_PYTHON), str(RASA_SERVE), "run", "--enable-api", *args],
            {**rasa_env(settings), "ASSISTANT_RASA_TOKEN": settings.secret("rasa_token")})


def services(settings: Settings) -> list[Service]:
    """Returns the three services of the stack, bound to settings.host."""
    return replica_services(settings, rasa_port=settings.rasa_port, action_port=settings.action_port,
                            api_port=settings.api_port, host=settings.host)


def replica_services(settings: Settings, *, rasa_port: int, action_port: int, api_port: int, host: str,
                     suffix: str = "", extra_env: dict[str, str] | None = None) -> list[Service]:
    """Returns one Rasa server, its action server and one API process on the given ports.

    ``suffix`` names the replica ("-2"); ``extra_env`` goes to the API process (cluster settings).
    """
    endpoints, secret_env = write_endpoints(settings, action_port=action_port, name=f"endpoints{suffix}")
    rasa_cmd, rasa_server_env = rasa_server(
        settings, "--interface", host, "--port", str(rasa_port),
        "--model", str(model_dir(settings) / "assistant.tar.gz"), "--endpoints", str(endpoints),
        "--credentials", str(write_credentials(settings)), "--cors", *widget_origins(settings))
    app_env = {"ASSISTANT_DATA_DIR": str(settings.data_dir), "PYTHONUNBUFFERED": "1"}
    return [
        Service(
            name=f"rasa{suffix}",
            cmd=rasa_cmd,
            health_url=f"http://127.0.0.1:{rasa_port}/",
            env={**rasa_server_env, **secret_env},
        ),
        Service(
            name=f"actions{suffix}",
            cmd=[str(APP_PYTHON), "-m", "rasa_sdk", "--actions", "actions", "--port", str(action_port)],
            health_url=f"http://127.0.0.1:{action_port}/health",
            # rasa-sdk binds 0.0.0.0 unless told otherwise: keep the action endpoint on this host.
            env={**app_env, "SANIC_HOST": "127.0.0.1", "ACTION_SERVER_SANIC_WORKERS": "1"},
        ),
        Service(
            name=f"api{suffix}",
            cmd=[str(APP_PYTHON), "-m", "uvicorn", "api.main:app", "--host", host,
                 "--port", str(api_port), "--no-access-log"],
            health_url=f"http://127.0.0.1:{api_port}/health",
            env={**app_env, **(extra_env or {})},
        ),
    ]


def wait_healthy(urls: list[str], *, timeout: float = 240.0, procs: list[subprocess.Popen] | None = None) -> float:
    """Waits until every url answers 200; returns seconds waited. Raises if a process dies or time runs out."""
    start = time.monotonic()
    pending = list(urls)
    while pending:
        for proc in procs or []:
            if proc.poll() is not None:
                raise RuntimeError(f"a service exited with code {proc.returncode} before it was healthy")
        pending = [url for url in pending if not _is_healthy(url)]
        if not pending:
            break
        if time.monotonic() - start > timeout:
            raise TimeoutError(f"not healthy after {timeout:.0f}s: {', '.join(pending)}")
        time.sleep(0.5)
    return time.monotonic() - start


def _is_healthy(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2.0).status_code == 200
    except httpx.HTTPError:
        return False



def stop_process(proc: subprocess.Popen, timeout: float = 15.0) -> None:
    """Stops a service started in its own session, with everything it spawned (no orphans)."""
    import signal

    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    except ProcessLookupError:
        pass
