"""Shared fixtures: an isolated data folder and ports, database sessions (SQLite and PostgreSQL), and the
real stack (Rasa server with the trained model, action server, API) started once per test session.

Settings are read once per process, so the environment is set here, at import time, before any
``assistant`` module reads it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


DATA_DIR = Path(tempfile.mkdtemp(prefix="assistant-test-"))
ROOT = Path(__file__).resolve().parent.parent
# Tests edit the knowledge base live, so the stack serves a copy.
KNOWLEDGE_DIR = DATA_DIR / "knowledge_base"
shutil.copytree(ROOT / "knowledge_base", KNOWLEDGE_DIR)
os.environ.update(
    {
        "ASSISTANT_ENV": "test",
        "ASSISTANT_DATA_DIR": str(DATA_DIR),
        "ASSISTANT_API_PORT": str(_free_port()),
        "ASSISTANT_RASA_PORT": str(_free_port()),
        "ASSISTANT_ACTION_PORT": str(_free_port()),
        "ASSISTANT_WATCH_KNOWLEDGE": "true",
        "ASSISTANT_KNOWLEDGE_DIR": str(KNOWLEDGE_DIR),
        "HF_HUB_OFFLINE": "1",
        "ASSISTANT_JOURNEYS_ENABLED": "false",  # journeys tests run the scheduler themselves, at the times they set
    }
)
os.environ.pop("ASSISTANT_DATABASE_URL", None)
os.environ.pop("ASSISTANT_TRACKER_STORE_URL", None)
POSTGRES_URL = os.environ.get("ASSISTANT_TEST_POSTGRES_URL", "")

from assistant.settings import get_settings  # noqa: E402


def database_urls() -> list[str]:
    """SQLite always; PostgreSQL when configured (CI requires it: a missing server fails, never skips)."""
    if os.environ.get("CI") and not POSTGRES_URL:
        raise RuntimeError("CI must set ASSISTANT_TEST_POSTGRES_URL to a real PostgreSQL server")
    return ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])


@pytest.fixture(scope="session", params=database_urls())
def engine(request):
    """A migrated, empty database per backend (a fresh SQLite file, or a fresh PostgreSQL schema)."""
    from sqlalchemy import text

    from assistant import migrate
    from assistant.db import make_engine

    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{DATA_DIR / f'unit-{uuid.uuid4().hex}.db'}")
        from sqlalchemy import event

        # pysqlite starts transactions lazily, so the first SAVEPOINT would open one and its RELEASE would
        # commit: a route that commits (a savepoint here) would leak rows into later tests. Begin explicitly.
        @event.listens_for(engine, "connect")
        def _no_implicit_transactions(dbapi_connection, _record):
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin(connection):
            connection.exec_driver_sql("BEGIN")
    else:
        schema = f"test_{uuid.uuid4().hex[:12]}"
        admin = make_engine(POSTGRES_URL)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine = make_engine(POSTGRES_URL)
        from sqlalchemy import event

        @event.listens_for(engine, "connect")
        def _search_path(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute(f'SET search_path TO "{schema}"')
            cursor.close()
            dbapi_connection.commit()

    with engine.begin() as connection:
        migrate.upgrade(connection)
    yield engine
    if request.param == "postgresql":
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


@pytest.fixture
def db_session(engine):
    """A session inside a transaction that is rolled back after the test (savepoints for commits)."""
    from sqlalchemy.orm import Session

    connection = engine.connect()
    transaction = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    yield session
    session.close()
    transaction.rollback()
    connection.close()


class Stack:
    """The running services and small clients for them."""

    def __init__(self, settings, services=(), procs=None, logs=None):
        self.settings = settings
        self.services = {service.name: service for service in services}
        self.procs = procs if procs is not None else {}
        self.logs = logs
        self.api_url = f"http://127.0.0.1:{settings.api_port}"
        self.rasa_url = settings.rasa_url
        self.action_url = f"http://127.0.0.1:{settings.action_port}"

    def client_key(self, sender: str) -> str:
        """Returns the chat window's key for sender, as the widget makes one per tab (identity.service)."""
        return hashlib.sha256(f"window-of-{sender}".encode()).hexdigest()

    def chat(self, sender: str, text: str, metadata: dict | None = None) -> list[dict]:
        """Sends one message through Rasa's REST channel, as the widget does (with the chat window's key
        unless metadata names another); returns the bot's replies."""
        import httpx

        metadata = {"client_key": self.client_key(sender), **(metadata or {})}
        body = {"sender": sender, "message": text, "metadata": metadata}
        response = httpx.post(f"{self.rasa_url}/webhooks/rest/webhook", json=body, timeout=60)
        response.raise_for_status()
        return response.json()

    def start(self, name: str) -> None:
        """Starts one service of the stack (again) and waits until it is healthy."""
        from assistant import stack as stack_module

        service = self.services[name]
        log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        self.procs[name] = subprocess.Popen(service.cmd, env={**os.environ, **service.env}, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        stack_module.wait_healthy([service.health_url], timeout=300, procs=[self.procs[name]])

    def kill(self, name: str) -> None:
        """Kills one service with SIGKILL (a crash), with everything it spawned."""
        import signal

        proc = self.procs[name]
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

    def tracker(self, sender: str) -> dict:
        import httpx

        response = httpx.get(
            f"{self.rasa_url}/conversations/{sender}/tracker",
            params={"token": self.settings.secret("rasa_token")},
            timeout=30,
        )
        response.raise_for_status()
        return response.json()


@pytest.fixture(scope="session")
def stack():
    """Starts the real Rasa server (trained model), action server and API once for the whole session."""
    from assistant import demo, migrate, stack as stack_module

    settings = get_settings()
    model = stack_module.model_dir(settings) / "assistant.tar.gz"
    if not model.exists():
        raise RuntimeError(f"no trained model at {model}: run `make test` (it trains) or `assistant train`")
    migrate.upgrade()
    demo.load()
    demo.build_indexes()
    logs = DATA_DIR / "logs"
    logs.mkdir(exist_ok=True)
    procs: dict[str, subprocess.Popen] = {}
    services = stack_module.services(settings)
    try:
        for service in services:
            log = open(logs / f"{service.name}.log", "wb")  # noqa: SIM115 - closed with the process
            procs[service.name] = subprocess.Popen(service.cmd, env={**os.environ, **service.env}, stdout=log,
                                                   stderr=subprocess.STDOUT, start_new_session=True)
        stack_module.wait_healthy([s.health_url for s in services], timeout=300, procs=list(procs.values()))
        yield Stack(settings, services, procs, logs)
    except Exception:
        for service in services:
            path = logs / f"{service.name}.log"
            if path.exists():
                print(f"----- {service.name} log (tail) -----\n" + path.read_text(errors="replace")[-4000:])
        raise
    finally:
        for proc in procs.values():
            stack_module.stop_process(proc)
