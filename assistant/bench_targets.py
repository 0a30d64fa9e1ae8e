"""What the load, fault and soak benchmarks run against: the project's stack (one replica, or several behind
HAProxy on PostgreSQL + Redis) and the bare bot that ``rasa init --no-prompt`` makes, as the reference.

Each is started under the supervisor (so a killed process comes back, as with ``assistant run``) on free
loopback ports with a data folder of its own, and stopped when the ``with`` block ends.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text

from assistant import cluster, stack
from assistant.settings import ROOT, SECRET_FIELDS, Settings, get_settings
from assistant.supervisor import Supervisor

BARE_BOT_DIR = ROOT / "var" / "bench" / "bare-bot"
# A 7-turn mixed conversation: greeting, knowledge answers, job search, capabilities, out of scope, goodbye.
PROJECT_CONVERSATION = ["hello", "how long does the hiring process take?", "any remote python jobs?",
                        "do you sponsor work visas?", "what can you do for me?",
                        "what's the weather like in Paris today?", "bye bye"]
BARE_CONVERSATION = ["hello", "I am great", "are you a bot?", "I am sad", "yes", "no", "bye"]


@dataclass
class Target:
    """A running system under test: its REST url, its supervisor (pids, restarts) and its data folder."""

    label: str
    rest_url: str
    supervisor: Supervisor
    data_dir: Path
    conversation: list[str]
    env: dict[str, str]
    settings: Settings | None = None


def services_url() -> tuple[str, str]:
    """Returns the PostgreSQL and Redis URLs for benchmarks (the test servers of `make test`), or empty strings."""
    values = dict(os.environ)
    env_file = ROOT / "var" / "test-services.env"
    if env_file.exists():
        for line in env_file.read_text().splitlines():
            key, _, value = line.partition("=")
            values.setdefault(key.strip(), value.strip())
    return values.get("ASSISTANT_TEST_POSTGRES_URL", ""), values.get("ASSISTANT_TEST_REDIS_URL", "")


def _admin(url: str, statement: str) -> None:
    from assistant.db import make_engine

    engine = make_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(statement))
    engine.dispose()


@contextmanager
def project(replicas: int = 1, *, postgres: bool | None = None, services_urls: tuple[str, str] | None = None,
            env_overrides: dict[str, str] | None = None, after_prepare: str = "") -> Iterator[Target]:
    """Runs the project's stack (migrated, demo data, indexes) in a data folder of its own until the block ends.

    Several replicas (or ``postgres=True``) run on fresh PostgreSQL databases and Redis (those of
    ``services_urls``, else the test servers). ``env_overrides`` are settings for every process;
    ``after_prepare`` is Python run with those settings before the processes start (test data)."""
    postgres = replicas > 1 or bool(services_urls) if postgres is None else postgres
    data_dir = Path(tempfile.mkdtemp(prefix="assistant-bench-"))
    session = get_settings()
    env = {"ASSISTANT_ENV": "test", "ASSISTANT_DATA_DIR": str(data_dir), "ASSISTANT_WATCH_KNOWLEDGE": "false",
           "ASSISTANT_API_PORT": str(cluster.free_port()), "ASSISTANT_RASA_PORT": str(cluster.free_port()),
           "ASSISTANT_ACTION_PORT": str(cluster.free_port()),
           "ASSISTANT_KNOWLEDGE_DIR": str(session.knowledge_dir), "ASSISTANT_SPOOL_RETRY_SECONDS": "5",
           **{f"ASSISTANT_{name.upper()}": session.secret(name) for name in SECRET_FIELDS}}
    databases: list[str] = []
    pg_url, redis_url = services_urls or services_url()
    if postgres:
        if not (pg_url and redis_url):
            raise RuntimeError("several replicas need PostgreSQL and Redis: run `make test-prereqs` or set "
                               "ASSISTANT_TEST_POSTGRES_URL and ASSISTANT_TEST_REDIS_URL")
        base = f"bench_{uuid.uuid4().hex[:8]}"
        databases = [base, f"{base}_tracker"]
        for name in databases:
            _admin(pg_url, f'CREATE DATABASE "{name}"')
        prefix = pg_url.rsplit("/", 1)[0]
        env.update({"ASSISTANT_DATABASE_URL": f"{prefix}/{base}", "ASSISTANT_TRACKER_STORE_URL": f"{prefix}/{base}_tracker",
                    "ASSISTANT_REDIS_URL": redis_url})
    env.update(env_overrides or {})
    settings = Settings(_env_file=None, **{k.removeprefix("ASSISTANT_").lower(): v for k, v in env.items()})
    prepare = "from assistant import migrate, demo; migrate.upgrade(); demo.load(); demo.build_indexes()\n"
    subprocess.run([str(stack.APP_PYTHON), "-c", prepare + after_prepare], env={**os.environ, **env}, cwd=ROOT,
                   check=True, timeout=900, stdout=subprocess.DEVNULL)
    services = stack.services(settings) if replicas == 1 else cluster.services(settings, replicas)[0]
    for service in services:
        service.env = {**env, **service.env}  # a replica's own settings (its action port) win
    supervisor = Supervisor(services, log_dir=data_dir / "logs", echo=False).start()
    try:
        try:
            stack.wait_healthy([s.health_url for s in services], timeout=600)
        except TimeoutError:
            for service in services:
                log = data_dir / "logs" / f"{service.name}.log"
                print(f"----- {service.name} log (tail) -----\n" + log.read_text(errors="replace")[-3000:])
            raise
        label = f"project, {replicas} replica{'s' if replicas > 1 else ''}" + (" (PostgreSQL + Redis)" if postgres else "")
        yield Target(label, f"{settings.rasa_url}/webhooks/rest/webhook", supervisor, data_dir,
                     PROJECT_CONVERSATION, env, settings)
    finally:
        supervisor.stop()
        for name in databases:
            _admin(pg_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(data_dir, ignore_errors=True)


def bare_bot_model() -> Path:
    """Returns the model of the bare `rasa init` bot, creating and training it once under var/bench/."""
    models = sorted((BARE_BOT_DIR / "models").glob("*.tar.gz"))
    if models:
        return models[-1]
    shutil.rmtree(BARE_BOT_DIR, ignore_errors=True)
    BARE_BOT_DIR.mkdir(parents=True)  # rasa init wants the folder to exist
    subprocess.run([str(stack.RASA_BIN), "init", "--no-prompt", "--init-dir", BARE_BOT_DIR.name],
                   cwd=BARE_BOT_DIR.parent, env=stack.rasa_env(), check=True, timeout=3600)
    return sorted((BARE_BOT_DIR / "models").glob("*.tar.gz"))[-1]


@contextmanager
def bare_bot() -> Iterator[Target]:
    """Runs the bare `rasa init` bot (its own model and defaults: in-memory tracker store) until the block ends."""
    model = bare_bot_model()
    port = cluster.free_port()
    data_dir = Path(tempfile.mkdtemp(prefix="bare-bot-"))
    service = stack.Service("rasa", [str(stack.RASA_BIN), "run", "--model", str(model), "--interface", "127.0.0.1",
                                     "--port", str(port)], f"http://127.0.0.1:{port}/", stack.rasa_env())
    supervisor = Supervisor([service], log_dir=data_dir / "logs", echo=False).start()
    try:
        stack.wait_healthy([service.health_url], timeout=600)
        yield Target("bare `rasa init` bot", f"http://127.0.0.1:{port}/webhooks/rest/webhook", supervisor, data_dir,
                     BARE_CONVERSATION, {})
    finally:
        supervisor.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


@contextmanager
def private_services() -> Iterator[tuple[str, str, Supervisor]]:
    """Runs a throwaway PostgreSQL and Redis on free loopback ports under a supervisor of their own; yields
    their URLs and the supervisor (processes "postgres" and "redis"). Needs root and the Debian packages."""
    if os.geteuid() != 0:
        raise RuntimeError("the fault benchmark starts its own PostgreSQL as the postgres user: run it as root")
    pg_bin = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
    folder = Path(tempfile.mkdtemp(prefix="bench-services-"))
    pgdata = folder / "pgdata"
    pgdata.mkdir()
    shutil.chown(folder, "postgres")
    shutil.chown(pgdata, "postgres")
    as_postgres = ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"]
    password = uuid.uuid4().hex
    (folder / "pw").write_text(password)
    shutil.chown(folder / "pw", "postgres")
    subprocess.run([*as_postgres, str(pg_bin / "initdb"), "-D", str(pgdata), "-U", "bench", "--pwfile", str(folder / "pw"),
                    "-A", "scram-sha-256"], check=True, stdout=subprocess.DEVNULL, timeout=300)
    pg_port, redis_port = cluster.free_port(), cluster.free_port()
    services = [
        stack.Service("postgres", [*as_postgres, str(pg_bin / "postgres"), "-D", str(pgdata), "-p", str(pg_port),
                                   "-k", str(folder), "-c", "listen_addresses=127.0.0.1"], f"tcp://127.0.0.1:{pg_port}"),
        stack.Service("redis", ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
                                "--dir", str(folder)], f"tcp://127.0.0.1:{redis_port}"),
    ]
    supervisor = Supervisor(services, log_dir=folder / "logs", echo=False, first_delay=0.5).start()
    url = f"postgresql://bench:{password}@127.0.0.1:{pg_port}/postgres"
    try:
        _wait_for_postgres(url)
        yield url, f"redis://127.0.0.1:{redis_port}/0", supervisor
    finally:
        supervisor.stop()
        shutil.rmtree(folder, ignore_errors=True)


def _wait_for_postgres(url: str, timeout: float = 60.0) -> None:
    import time

    from assistant.db import make_engine

    deadline = time.monotonic() + timeout
    while True:
        try:
            engine = make_engine(url)
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            engine.dispose()
            return
        except Exception:  # noqa: BLE001 - not up yet
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
