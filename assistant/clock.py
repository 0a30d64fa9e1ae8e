"""One settable clock for scheduled work (journeys): ``now()`` is real UTC time, moved or frozen for tests.

``ASSISTANT_CLOCK_OFFSET_SECONDS`` shifts it and ``ASSISTANT_CLOCK_FROZEN_AT`` (ISO time) stops it. Outside
production the file ``<data_dir>/clock.json`` (written by ``set_clock``) does the same for running processes,
so a test through the real stack can move time without restarting anything.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from assistant.settings import get_settings


def _file_override() -> dict:
    settings = get_settings()
    if settings.env == "production":
        return {}
    path = settings.data_dir / "clock.json"
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def now() -> datetime:
    """Returns the current time (timezone-aware UTC), with the configured offset or freeze applied."""
    settings = get_settings()
    override = _file_override()
    frozen = override.get("frozen_at") or settings.clock_frozen_at
    if frozen:
        moment = datetime.fromisoformat(str(frozen))
        moment = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    else:
        moment = datetime.now(timezone.utc)
    offset = float(override.get("offset_seconds", 0)) + settings.clock_offset_seconds
    return moment.astimezone(timezone.utc) + timedelta(seconds=offset)


def set_clock(*, offset_seconds: float = 0, frozen_at: datetime | None = None) -> None:
    """Moves (or freezes) the clock of every process sharing this data folder; raises in production."""
    settings = get_settings()
    if settings.env == "production":
        raise RuntimeError("the clock cannot be moved in production")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    path = settings.data_dir / "clock.json"
    body = {"offset_seconds": offset_seconds, "frozen_at": frozen_at.isoformat() if frozen_at else None}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(body))
    tmp.replace(path)


def reset_clock() -> None:
    """Returns the clock file override to real time."""
    (get_settings().data_dir / "clock.json").unlink(missing_ok=True)
