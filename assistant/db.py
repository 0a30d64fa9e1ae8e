"""Database engine, declarative base and session helpers (SQLAlchemy 2)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from functools import lru_cache

from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from assistant.settings import get_settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """Returns the current time, timezone-aware in UTC."""
    return datetime.now(timezone.utc)


def as_utc(value: datetime) -> datetime:
    """Returns a stored time as timezone-aware UTC (SQLite drops tzinfo; every stored time is UTC)."""
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def make_engine(url: str) -> Engine:
    """Returns an engine for url; SQLite gets foreign keys, WAL and a busy timeout."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # pragma: no cover - trivial
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True)


@lru_cache
def get_engine() -> Engine:
    """Returns the process-wide engine for the configured database."""
    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return make_engine(settings.database_url)


@lru_cache
def get_sessionmaker() -> sessionmaker[Session]:
    import_all_models()  # relationships name classes across concerns
    return sessionmaker(bind=get_engine(), expire_on_commit=False)


@contextmanager
def session_scope() -> Iterator[Session]:
    """Yields a session that commits on success and rolls back on error (actions, scripts)."""
    session = get_sessionmaker()()
    try:
        yield session
        session.commit()
    except Exception:
        session.rollback()
        raise
    finally:
        session.close()


def import_all_models() -> None:
    """Imports every models module so Base.metadata knows all tables (Alembic, tests)."""
    from assistant.analytics import models as _analytics  # noqa: F401
    from assistant.audit import models as _audit  # noqa: F401
    from assistant.candidates import models as _candidates  # noqa: F401
    from assistant.identity import models as _identity  # noqa: F401
    from assistant.inbox import models as _inbox  # noqa: F401
    from assistant.jobs import models as _jobs  # noqa: F401
    from assistant.journeys import models as _journeys  # noqa: F401
    from assistant.knowledge import models as _knowledge  # noqa: F401
    from assistant.scheduling import models as _scheduling  # noqa: F401
    from assistant.oversight import models as _oversight  # noqa: F401
