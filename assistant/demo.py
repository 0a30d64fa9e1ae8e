"""Demo data for `make run` and the tests: loaded idempotently, so running it twice changes nothing."""

from __future__ import annotations

from assistant.db import session_scope


def load() -> None:
    """Loads the demo records of every concern that has them."""
    with session_scope() as db:
        for loader in _loaders():
            loader(db_session=db)


def build_indexes() -> None:
    """Builds (or brings up to date) every search index."""
    for builder in _index_builders():
        builder()


def _loaders() -> list:
    from assistant.candidates import demo as candidates_demo
    from assistant.inbox import demo as inbox_demo
    from assistant.jobs import demo as jobs_demo
    from assistant.scheduling import demo as scheduling_demo

    return [jobs_demo.load, candidates_demo.load, inbox_demo.load_demo_staff, scheduling_demo.load]  # jobs first: other concerns' demo records refer to jobs


def _index_builders() -> list:
    from assistant.jobs import index as jobs_index
    from assistant.knowledge import index as knowledge_index

    return [jobs_index.build_demo_index, knowledge_index.build]
