"""Work Rasa 3.6 repeats on every turn for nothing, done once instead, with the same results.

Installed by ``scripts/rasa_serve.py`` before the server starts. Found with ``assistant bench profile``
(py-spy on the Rasa process under load): each call of the action server had its reply checked with
``jsonschema.validate()``, which first checks Rasa's constant response schema against the JSON Schema
meta-schema: about 40 ms of CPU per call, half of the Rasa process's time per turn. The reply is still
validated against the same schema, by one validator built (and its schema checked) once; a reply that fails
goes to Rasa's own check, so the error and its message are Rasa's.

A SQLite tracker store (one machine, ``assistant run``) was opened with SQLAlchemy 1.4's defaults for a
file: a new connection for every query and a rollback journal, synced several times per commit. It gets what
SQLAlchemy 2 and the app's own engine use: a pool of connections and the write-ahead log.

Every event read back (the tracker store's whole conversation on every turn, the action server's reply) had
its class found by ``Event.resolve_by_type``, which walks the tree of every Event subclass each time: about a
third of reading a tracker. The class found for a type name is kept; a name not found still goes to Rasa's
own lookup, so unknown names, the default and the error are Rasa's.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, Text

import jsonschema
import rasa.core.tracker_store
import sqlalchemy as sa
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event

_rasa_validate_action_result = RemoteAction._validate_action_result


@lru_cache(maxsize=1)
def action_response_validator() -> Any:
    """Returns the validator Rasa's ``jsonschema.validate()`` would build for the action server's reply."""
    schema = RemoteAction.action_response_format_spec()
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def _validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    if action_response_validator().is_valid(result):
        return True
    return _rasa_validate_action_result(self, result)  # raises Rasa's ValidationError with its message


_rasa_create_engine_kwargs = rasa.core.tracker_store.create_engine_kwargs


def _create_engine_kwargs(url: Any) -> Dict[Text, Any]:
    if sa.engine.make_url(url).get_backend_name() != "sqlite":
        return _rasa_create_engine_kwargs(url)
    return {"poolclass": sa.pool.QueuePool, "connect_args": {"check_same_thread": False, "timeout": 30}}


def _sqlite_write_ahead_log(dbapi_connection: Any, _record: Any) -> None:
    if type(dbapi_connection).__module__ == "sqlite3":
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")  # in WAL mode: safe against a crashed process
        cursor.close()


_rasa_resolve_by_type = Event.resolve_by_type
_event_classes: Dict[Text, Any] = {}


def _resolve_by_type(type_name: Text, default: Any = None) -> Any:
    found = _event_classes.get(type_name)
    if found is None:
        found = _rasa_resolve_by_type(type_name, default)
        if found is not None and found is not default:
            _event_classes[type_name] = found
    return found


def install() -> None:
    Event.resolve_by_type = staticmethod(_resolve_by_type)
    RemoteAction._validate_action_result = _validate_action_result
    rasa.core.tracker_store.create_engine_kwargs = _create_engine_kwargs
    sa.event.listen(sa.engine.Engine, "connect", _sqlite_write_ahead_log)
