"""Schemathesis against the app's OpenAPI spec (bounded: a few examples per operation): no 5xx and every
documented response matches its schema."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from api.main import app

# /health/ready answers 503 by design while Rasa is not running (as here): it is the readiness probe.
schema = schemathesis.openapi.from_asgi("/openapi.json", app).exclude(path="/health/ready")


@pytest.fixture(autouse=True)
def _migrated(app_db):
    """The app's own database, migrated (routes read and write it)."""


@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_server_errors_and_responses_match_the_spec(case):
    case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])
