"""A two-replica cluster (2 Rasa servers, 2 action servers, 2 API processes behind HAProxy) on PostgreSQL and
Redis, started once for the module under the same supervisor as ``assistant run --replicas 2``.

Needs ASSISTANT_TEST_POSTGRES_URL and ASSISTANT_TEST_REDIS_URL (CI sets both; `make test` starts them)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from assistant import cluster, stack as stack_module
from assistant.db import make_engine
from assistant.settings import ROOT, SECRET_FIELDS, Settings, get_settings
from assistant.supervisor import Supervisor

POSTGRES_URL = os.environ.get("ASSISTANT_TEST_POSTGRES_URL", "")
REDIS_URL = os.environ.get("ASSISTANT_TEST_REDIS_URL", "")
ALERT_CANDIDATE, ALERT_EMAIL = "C-1011", "lena.fischer@example.de"  # alerts on: sent when the API replicas start


class Cluster:
    """The running cluster: its settings, supervisor, and clients that go through HAProxy."""

    def __init__(self, settings: Settings, supervisor: Supervisor, data_dir: Path, ports: dict[str, list[int]]):
        self.settings = settings
        self.supervisor = supervisor
        self.data_dir = data_dir
        self.ports = ports
        self.rasa_url = f"http://127.0.0.1:{settings.rasa_port}"
        self.api_url = f"http://127.0.0.1:{settings.api_port}"
        self.http = httpx.Client(timeout=60)

    def chat(self, sender: str, message: str) -> tuple[list[dict], str]:
        """Sends one message over REST through the proxy; returns the replies and the replica that answered."""
        response = self.http.post(f"{self.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": message})
        response.raise_for_status()
        return response.json(), response.headers.get("X-Served-By", "")

    def replica_of(self, conversation: str) -> str:
        """Returns the Rasa replica that HAProxy sends this conversation to."""
        response = self.http.get(f"{self.rasa_url}/conversations/{conversation}/tracker",
                                 params={"token": self.settings.secret("rasa_token")})
        response.raise_for_status()
        return response.headers["X-Served-By"]

    def conversation_on(self, replica: str, prefix: str) -> str:
        """Returns a new conversation id that HAProxy routes to the given replica."""
        while True:
            conversation = f"{prefix}-{uuid.uuid4().hex[:10]}"
            if self.replica_of(conversation) == replica:
                return conversation

    def log(self, name: str) -> str:
        return (self.data_dir / "logs" / f"{name}.log").read_text(errors="replace")

    def wait_healthy(self) -> None:
        urls = [s.health_url for child in self.supervisor.children.values() for s in [child.service]]
        stack_module.wait_healthy(urls, timeout=300)


def _create_database(name: str) -> str:
    admin = make_engine(POSTGRES_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"


def _drop_database(name: str) -> None:
    admin = make_engine(POSTGRES_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="module")
def cluster_stack():
    if not (POSTGRES_URL and REDIS_URL):
        raise RuntimeError("the cluster tests need ASSISTANT_TEST_POSTGRES_URL and ASSISTANT_TEST_REDIS_URL "
                           "(`make test` starts both; CI sets them)")
    name = f"cluster_{uuid.uuid4().hex[:8]}"
    data_dir = Path(tempfile.mkdtemp(prefix="assistant-cluster-"))
    shutil.copytree(ROOT / "knowledge_base", data_dir / "knowledge_base")
    session = get_settings()
    env = {
        "ASSISTANT_ENV": "test",
        "ASSISTANT_DATA_DIR": str(data_dir),
        "ASSISTANT_KNOWLEDGE_DIR": str(data_dir / "knowledge_base"),
        "ASSISTANT_DATABASE_URL": _create_database(name),
        "ASSISTANT_TRACKER_STORE_URL": _create_database(f"{name}_tracker"),
        "ASSISTANT_REDIS_URL": REDIS_URL,
        "ASSISTANT_API_PORT": str(cluster.free_port()),
        "ASSISTANT_RASA_PORT": str(cluster.free_port()),
        "ASSISTANT_WATCH_KNOWLEDGE": "true",
        **{f"ASSISTANT_{field.upper()}": session.secret(field) for field in SECRET_FIELDS},
    }
    settings = Settings(_env_file=None, **{key.removeprefix("ASSISTANT_").lower(): value for key, value in env.items()})
    prepare = ("from assistant import migrate, demo; migrate.upgrade(); demo.load(); demo.build_indexes()\n"
               "from sqlalchemy import text; from assistant.db import session_scope\n"
               "with session_scope() as db:\n"
               f"    db.execute(text(\"UPDATE candidate SET job_alerts = true WHERE external_id = '{ALERT_CANDIDATE}'\"))\n"
               "    db.execute(text(\"UPDATE job SET posted_at = now() - interval '2 days'\"))\n")
    subprocess.run([str(stack_module.APP_PYTHON), "-c", prepare], env={**os.environ, **env}, cwd=ROOT, check=True,
                   timeout=600)
    services, ports = cluster.services(settings, 2)
    for service in services:
        service.env.update(env)
    supervisor = Supervisor(services, log_dir=data_dir / "logs", echo=False).start()
    running = Cluster(settings, supervisor, data_dir, ports)
    try:
        running.wait_healthy()
        yield running
    except Exception:
        for child in supervisor.children:
            path = data_dir / "logs" / f"{child}.log"
            if path.exists():
                print(f"----- {child} log (tail) -----\n" + path.read_text(errors="replace")[-3000:])
        raise
    finally:
        supervisor.stop()
        _drop_database(name)
        _drop_database(f"{name}_tracker")
        shutil.rmtree(data_dir, ignore_errors=True)
