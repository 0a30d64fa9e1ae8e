"""Fixtures of the attack tests (the application database comes from the inbox tests' fixture)."""

from tests.inbox.conftest import app_db  # noqa: F401 - re-exported fixture
