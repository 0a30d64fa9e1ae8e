"""Recommendations: hard filters, behaviour, profile, diversity, explanations and the log of what was shown."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from assistant.audit.models import AuditEntry
from assistant.candidates.models import Application
from assistant.events import service as events_service
from assistant.events.schemas import EventIn
from assistant.jobs import service as jobs_service
from assistant.jobs.models import RecommendationLog
from assistant.jobs.query import parse_request
from assistant.jobs.recommend import _title_key, recommend_jobs

CITIES = ["Berlin", "London", "Amsterdam", "Lisbon", "Toronto", "Austin"]


def _recommend(db_session, catalogue, text="", **kwargs):
    return recommend_jobs(db_session=db_session, text=text, loaded=catalogue.index(), **kwargs)


def test_request_parsing_reads_places_workplace_levels_and_skills():
    request = parse_request("Senior remote Python jobs in the UK", cities=CITIES, skills=["Python", "SQL"])
    assert (request.workplaces, request.regions, request.levels, request.skills) == (["remote"], ["United Kingdom"], ["senior"], ["Python"])
    nurse = parse_request("jobs in Berlin for a nurse", cities=CITIES, skills=[])
    assert (nurse.cities, nurse.text) == (["Berlin"], "nurse")
    assert parse_request("any jobs for me?", cities=CITIES, skills=[]).text == ""
    assert parse_request("clinic manager roles", cities=CITIES, skills=[]).levels == []  # a role, not a level filter


def test_city_and_role_request(db_session, catalogue):
    result = _recommend(db_session, catalogue, "jobs in Berlin for a nurse")
    assert result.items and all(item.job.city == "Berlin" for item in result.items)
    assert "Nurse" in result.items[0].job.title
    assert all("In Berlin" in item.why for item in result.items)


def test_remote_skill_request_explains_the_skill_and_place(db_session, catalogue):
    result = _recommend(db_session, catalogue, "remote python jobs")
    assert len(result.items) == 5
    for item in result.items:
        assert item.job.workplace == "remote" and "Python" in item.job.skills
        assert item.why.startswith("Uses Python, as you asked") and f"Remote in {item.job.country}" in item.why
    card = result.items[0].card()
    assert set(card) == {"id", "title", "location", "workplace", "salary", "url", "why"}
    assert card["location"].startswith("Remote (") and card["url"].startswith("https://careers.fernhill.example/jobs/")


def test_closed_applied_and_dismissed_jobs_never_appear(db_session, catalogue, make_candidate):
    candidate = make_candidate(skills=["Nursing"], desired_roles=["Registered Nurse"])
    first = [item.job.external_id for item in _recommend(db_session, catalogue, "nurse jobs", candidate=candidate, page_size=3).items]
    closed, applied, dismissed = first
    jobs_service.close_job(db_session=db_session, external_id=closed)  # no index sync: the filter excludes it
    db_session.add(Application(external_id="APP-J1", candidate_id=candidate.id, job_id=catalogue.job(applied).id, stage="applied"))
    events_service.record_not_interested(db_session=db_session, job_external_id=dismissed, candidate_id=candidate.id, visitor_id=None)
    db_session.flush()
    shown = {item.job.external_id for item in _recommend(db_session, catalogue, "nurse jobs", candidate=candidate, page_size=20).items}
    assert shown and not shown & {closed, applied, dismissed}


def test_similar_uses_viewed_jobs_and_says_so(db_session, catalogue):
    visitor = "visitor-abc12345"
    events_service.record_events(db_session=db_session, visitor_id=visitor, events=[
        EventIn(kind="job_viewed", job_id="FH-1083", dwell_seconds=120)])  # Senior Data Engineer, London
    result = _recommend(db_session, catalogue, similar=True, visitor_id=visitor)
    assert result.items and "FH-1083" not in [item.job.external_id for item in result.items]
    assert any("Like the Senior Data Engineer role you viewed" in item.why for item in result.items)
    assert any("Data Engineer" in item.job.title for item in result.items)


def test_similar_without_views_has_nothing_to_go_on(db_session, catalogue):
    assert _recommend(db_session, catalogue, similar=True, visitor_id="visitor-nothing1").reason == "no_signal"


def test_profile_recommendations_explain_shared_skills_and_are_audited(db_session, catalogue, make_candidate):
    candidate = make_candidate(skills=["Python", "SQL", "Airflow"], desired_roles=["Data Engineer"],
                               preferred_locations=["Amsterdam"], work_preference="any", years_experience=4)
    result = _recommend(db_session, catalogue, candidate=candidate)
    assert result.items and result.basis == ["profile"]
    assert all(item.job.city == "Amsterdam" or item.job.workplace == "remote" for item in result.items)
    assert any(item.why.startswith("Matches your") and "Python" in item.why for item in result.items)
    reads = db_session.scalars(select(AuditEntry).where(AuditEntry.candidate_id == candidate.id, AuditEntry.action == "read"))
    assert any(entry.entity == "candidate" and "skills" in entry.fields for entry in reads)


def test_diversity_caps_near_copies(db_session, catalogue):
    result = _recommend(db_session, catalogue, "warehouse jobs", page_size=8)
    titles = Counter(_title_key(item.job.title) for item in result.items)
    assert len(result.items) == 8 and max(titles.values()) <= 2


def test_show_more_never_repeats(db_session, catalogue):
    first = _recommend(db_session, catalogue, "engineering jobs")
    shown = [item.job.external_id for item in first.items]
    second = _recommend(db_session, catalogue, "engineering jobs", exclude_external_ids=shown)
    assert first.more and second.items and not set(shown) & {item.job.external_id for item in second.items}


def test_filters_only_request_lists_newest_matching_jobs(db_session, catalogue):
    result = _recommend(db_session, catalogue, "internships")
    assert result.items and all(item.job.level == "intern" for item in result.items)


def test_every_recommendation_shown_is_logged(db_session, catalogue, make_candidate):
    candidate = make_candidate(skills=["Forklift"])
    result = _recommend(db_session, catalogue, "warehouse jobs in Toronto", candidate=candidate, conversation_id="conv-log-1")
    rows = list(db_session.scalars(select(RecommendationLog).where(RecommendationLog.conversation_id == "conv-log-1")
                                   .order_by(RecommendationLog.rank)))
    assert [row.rank for row in rows] == list(range(1, len(result.items) + 1))
    assert [row.job_id for row in rows] == [item.job.id for item in result.items]
    assert all(row.candidate_id == candidate.id and row.visitor_id is None and row.explanation for row in rows)
    assert "cities=Toronto" in rows[0].query
    silent = _recommend(db_session, catalogue, "warehouse jobs", conversation_id="conv-log-2", log_shown=False)
    assert silent.items and not db_session.scalars(select(RecommendationLog).where(RecommendationLog.conversation_id == "conv-log-2")).first()


def test_close_to_the_roles_you_want_is_only_said_of_close_jobs(db_session, catalogue, make_candidate):
    fleet = make_candidate(desired_roles=["Fleet Manager"], skills=["Route planning"], preferred_locations=["Austin"])
    result = _recommend(db_session, catalogue, candidate=fleet, page_size=8)
    reasons = {item.job.title: item.why for item in result.items}
    assert reasons["Fleet Manager"].startswith("Close to the Fleet Manager roles you want"), reasons
    plain = [title for title, why in reasons.items() if why.startswith("In Austin")]
    assert plain, reasons  # Austin has few jobs: less related ones fill the page, with only the place as reason
    assert "Fleet Manager" not in plain
