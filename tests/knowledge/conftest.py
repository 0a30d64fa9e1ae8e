"""Knowledge fixtures: the served index of the test copy of the knowledge base, built once."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def served_index():
    """The index every process of the test stack serves (settings.index_dir/knowledge, conftest.KNOWLEDGE_DIR)."""
    from assistant.knowledge import index

    index.build()
    return index.served()
