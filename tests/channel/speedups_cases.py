"""Runs inside Rasa's environment: what ``rasa_channel.speedups`` changes, printed as one JSON line."""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from pathlib import Path

import jsonschema
import sqlalchemy as sa
from rasa.core.actions.action import RemoteAction
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.utils.common import all_subclasses

from rasa_channel import speedups


def rejection(action: RemoteAction) -> str:
    try:
        action._validate_action_result({"events": "not a list"})
    except jsonschema.ValidationError as error:
        return error.message
    return "accepted"


def event_lookups() -> dict:
    """What ``Event.resolve_by_type`` answers for every event type, an old ``topic``, a default and a typo."""
    names = sorted({cls.type_name for cls in all_subclasses(Event)})
    got = {name: Event.resolve_by_type(name).__name__ for name in names}
    got["topic"] = repr(Event.resolve_by_type("topic"))
    got["with default"] = Event.resolve_by_type("no_such_event", UserUttered).__name__
    try:
        Event.resolve_by_type("no_such_event")
    except ValueError as error:
        got["unknown"] = str(error)
    return got


def main() -> None:
    action = RemoteAction("action_example", None)
    got = {"rasa_rejects": rejection(action), "rasa_events": event_lookups()}
    speedups.install()
    got["events"], got["events_again"] = event_lookups(), event_lookups()  # the second from what was kept
    got["valid"] = action._validate_action_result({"events": [], "responses": [{"text": "hi"}]})
    got["invalid"] = rejection(action)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tracker.db"
        store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(path))
        tracker = DialogueStateTracker.from_events("c1", [UserUttered("hello")])
        asyncio.run(store.save(tracker))
        got["retrieved"] = [e.text for e in asyncio.run(store.retrieve("c1")).events if isinstance(e, UserUttered)]
        with store.engine.connect() as connection:
            got["journal_mode"] = connection.execute(sa.text("PRAGMA journal_mode")).scalar()
        got["pool"] = type(store.engine.pool).__name__
        store.engine.dispose()
    sys.stdout.write(json.dumps(got) + "\n")


if __name__ == "__main__":
    main()
