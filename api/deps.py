"""Dependencies shared by the routes, as Annotated aliases."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends
from sqlalchemy.orm import Session

from assistant.db import session_scope
from assistant.settings import Settings, get_settings


def get_db() -> Iterator[Session]:
    """Yields one session per request; commits when the route succeeds, rolls back when it raises."""
    with session_scope() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_db)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
