"""Jobs fixtures: the demo catalogue imported into the test database, and an index in a temporary folder."""

from __future__ import annotations

import itertools

import pytest

from assistant.candidates.models import Candidate
from assistant.jobs import index as jobs_index
from assistant.jobs import service as jobs_service
from assistant.jobs.demo import rows as demo_rows

_ids = itertools.count(1)


@pytest.fixture
def catalogue(db_session, tmp_path):
    """Imports the demo catalogue and builds its index; returns a function giving the served index."""
    report = jobs_service.import_jobs(db_session=db_session, rows=demo_rows())
    assert report.created == len(demo_rows()) and not report.errors
    root = tmp_path / "jobs-index"
    jobs_index.sync(db_session=db_session, root=root)

    class Catalogue:
        def __init__(self):
            self.root = root

        def index(self):
            return jobs_index.served(root=root)

        def sync(self):
            return jobs_index.sync(db_session=db_session, root=root)

        def job(self, external_id):
            return jobs_service.get_by_external_id_or_raise(db_session=db_session, external_id=external_id)

    return Catalogue()


@pytest.fixture
def make_candidate(db_session):
    def make(**values) -> Candidate:
        n = next(_ids)
        candidate = Candidate(external_id=f"CJ-{n}", first_name="Lena", email=f"jobs{n}@example.com", **values)
        db_session.add(candidate)
        db_session.flush()
        return candidate

    return make
