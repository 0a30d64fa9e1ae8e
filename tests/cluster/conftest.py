"""A two-replica cluster (2 Rasa servers, 2 action servers, 2 API processes behind HAProxy) on PostgreSQL and
Redis, started once for the module under the same supervisor and layout as ``assistant run --replicas 2``.

Needs ASSISTANT_TEST_POSTGRES_URL and ASSISTANT_TEST_REDIS_URL (CI sets both; `make test` starts them)."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from pathlib import Path

import httpx
import pytest

from assistant import bench_targets
from assistant.settings import ROOT

ALERT_CANDIDATE, ALERT_EMAIL = "C-1011", "lena.fischer@example.de"  # alerts on: sent when the API replicas start
# Run after the demo data is loaded: the alert candidate's alerts on, and every job new enough to be alerted.
ALERT_DATA = ("from sqlalchemy import text\nfrom assistant.db import session_scope\nwith session_scope() as db:\n"
              f"    db.execute(text(\"UPDATE candidate SET job_alerts = true WHERE external_id = '{ALERT_CANDIDATE}'\"))\n"
              "    db.execute(text(\"UPDATE job SET posted_at = now() - interval '2 days'\"))\n")


class Cluster:
    """The running cluster: its settings, supervisor, and clients that go through HAProxy."""

    def __init__(self, target: bench_targets.Target, knowledge_dir: Path):
        self.settings = target.settings
        self.supervisor = target.supervisor
        self.data_dir = target.data_dir
        self.knowledge_dir = knowledge_dir
        self.rasa_url = f"http://127.0.0.1:{self.settings.rasa_port}"
        self.api_url = f"http://127.0.0.1:{self.settings.api_port}"
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

    def healthy(self, name: str) -> bool:
        try:
            return httpx.get(self.supervisor.children[name].service.health_url, timeout=2).status_code == 200
        except httpx.HTTPError:
            return False


@pytest.fixture(scope="module")
def cluster_stack():
    if not (os.environ.get("ASSISTANT_TEST_POSTGRES_URL") and os.environ.get("ASSISTANT_TEST_REDIS_URL")):
        raise RuntimeError("the cluster tests need ASSISTANT_TEST_POSTGRES_URL and ASSISTANT_TEST_REDIS_URL "
                           "(`make test` starts both; CI sets them)")
    knowledge_dir = Path(tempfile.mkdtemp(prefix="cluster-kb-")) / "knowledge_base"
    shutil.copytree(ROOT / "knowledge_base", knowledge_dir)  # the tests edit it live
    overrides = {"ASSISTANT_KNOWLEDGE_DIR": str(knowledge_dir), "ASSISTANT_WATCH_KNOWLEDGE": "true"}
    try:
        with bench_targets.project(2, env_overrides=overrides, after_prepare=ALERT_DATA) as target:
            yield Cluster(target, knowledge_dir)
    finally:
        shutil.rmtree(knowledge_dir.parent, ignore_errors=True)
