"""The Alembic migrations build exactly the schema the models describe, and go down and up again cleanly."""

from __future__ import annotations

import uuid

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from assistant import migrate
from assistant.db import Base, import_all_models, make_engine


def test_migrated_database_matches_the_models(engine):
    import_all_models()
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == [], f"a model change has no migration (run `alembic revision --autogenerate`): {differences}"


def test_every_migration_downgrades_and_upgrades(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / f'{uuid.uuid4().hex}.db'}")
    with engine.begin() as connection:
        migrate.upgrade(connection)
        migrate.downgrade(connection, "base")
        migrate.upgrade(connection)
    engine.dispose()
