"""Work Rasa 3.6 repeats on every turn for nothing, done once instead, with the same results.

Installed by ``scripts/rasa_serve.py`` before the server starts. Found with ``assistant bench profile``
(py-spy on the Rasa process under load): each call of the action server had its reply checked with
``jsonschema.validate()``, which first checks Rasa's constant response schema against the JSON Schema
meta-schema: about 40 ms of CPU per call, half of the Rasa process's time per turn. The reply is still
validated against the same schema, by one validator built (and its schema checked) once; a reply that fails
goes to Rasa's own check, so the error and its message are Rasa's.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, Text

import jsonschema
from rasa.core.actions.action import RemoteAction

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


def install() -> None:
    RemoteAction._validate_action_result = _validate_action_result
