"""Importing ATS job feeds: per-row validation errors, idempotent upserts, JSON and CSV."""

from __future__ import annotations

import pytest

from assistant.jobs import service
from assistant.jobs.demo import rows as demo_rows

GOOD = {"external_id": "T-1", "title": "Data Engineer", "department": "Data", "level": "mid", "city": "Berlin",
        "country": "Germany", "workplace": "hybrid", "skills": ["Python", "SQL"], "summary": "Pipelines.",
        "salary_min": 60000, "salary_max": 75000, "currency": "EUR", "url": "https://careers.fernhill.example/jobs/t-1"}


def test_demo_catalogue_is_valid_complete_and_contiguous():
    rows = demo_rows()
    valid, errors = service.validate_rows(rows)
    assert not errors and len(valid) >= 160
    numbers = sorted(int(r["external_id"].removeprefix("FH-")) for r in rows)
    assert numbers == list(range(1001, 1001 + len(rows)))
    assert {r["level"] for r in rows} == {"intern", "junior", "mid", "senior", "lead", "manager", "director"}
    assert {"Berlin", "London", "Amsterdam", "Lisbon", "Toronto", "Austin"} <= {r["city"] for r in rows}
    assert any(r["workplace"] == "remote" for r in rows) and any(r["status"] == "closed" for r in rows)


def test_bad_rows_are_reported_and_good_rows_still_imported(db_session):
    rows = [
        GOOD,
        {**GOOD, "external_id": "T-2", "level": "wizard"},
        {**GOOD, "external_id": "T-3", "salary_min": 90000},
        {**GOOD, "external_id": "T-4", "workplace": "onsite", "city": ""},
        {**GOOD, "external_id": "T-5", "colour": "blue"},
        {**GOOD},  # the same external_id twice
        "not an object",
        {**GOOD, "external_id": "T-6", "currency": "euro"},
    ]
    report = service.import_jobs(db_session=db_session, rows=rows)
    assert report.created == 1
    by_row = {error.row: error for error in report.errors}
    assert set(by_row) == {2, 3, 4, 5, 6, 7, 8}
    assert any(m.startswith("level") for m in by_row[2].errors) and by_row[2].external_id == "T-2"
    assert "salary_min is greater than salary_max" in by_row[3].errors[0]
    assert "needs a city" in by_row[4].errors[0]
    assert by_row[5].errors[0].startswith("colour")
    assert "twice" in by_row[6].errors[0]
    assert service.get_by_external_id(db_session=db_session, external_id="T-1") is not None
    assert service.get_by_external_id(db_session=db_session, external_id="T-2") is None


def test_import_is_idempotent_and_updates_by_external_id(db_session):
    first = service.import_jobs(db_session=db_session, rows=[GOOD])
    again = service.import_jobs(db_session=db_session, rows=[GOOD])
    changed = service.import_jobs(db_session=db_session, rows=[{**GOOD, "salary_max": 80000}])
    assert (first.created, again.unchanged, changed.updated) == (1, 1, 1)
    assert service.get_by_external_id_or_raise(db_session=db_session, external_id="T-1").salary_max == 80000


def test_csv_feed_is_read_with_skills_and_blanks(db_session):
    csv_text = ("external_id,title,department,level,city,country,workplace,skills,salary_min,salary_max,currency,url\n"
                "C-1,Registered Nurse,Clinical,mid,Berlin,Germany,onsite,Nursing; Triage,40000,52000,EUR,\n"
                "C-2,Support Specialist,Customer Support,junior,,EU,remote,Zendesk|German,,,EUR,\n")
    rows = service.parse_feed(content=csv_text.encode(), filename="feed.csv")
    report = service.import_jobs(db_session=db_session, rows=rows)
    assert (report.created, report.errors) == (2, [])
    nurse = service.get_by_external_id_or_raise(db_session=db_session, external_id="C-1")
    remote = service.get_by_external_id_or_raise(db_session=db_session, external_id="C-2")
    assert nurse.skills == ["Nursing", "Triage"] and remote.city is None and remote.salary_min is None


@pytest.mark.parametrize("content, message", [("{not json", "not valid JSON"), ('{"rows": 1}', "list of postings"),
                                               ("title\nx\n", "external_id column")])
def test_unreadable_feeds_are_refused_with_a_reason(content, message):
    with pytest.raises(service.FeedError, match=message):
        service.parse_feed(content=content)


def test_lookup_or_raise_names_the_field(db_session):
    with pytest.raises(service.JobNotFound, match="external_id"):
        service.get_by_external_id_or_raise(db_session=db_session, external_id="NOPE-1")
