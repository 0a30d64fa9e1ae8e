"""Recommending open jobs to a person: similarity, behaviour, hard filters, diversity and a reason for each.

The assistant recommends jobs to people; it never scores or ranks candidates. Scores here order jobs for
one person and are logged (``RecommendationLog``) so a bias audit can compare what different groups saw.
"""

from __future__ import annotations

import logging
import math
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timezone

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant import embeddings
from assistant.db import as_utc
from assistant.audit import service as audit_service
from assistant.candidates.models import Candidate
from assistant.events import service as events_service
from assistant.jobs import index as jobs_index
from assistant.jobs import service as jobs_service
from assistant.jobs import titles
from assistant.jobs.index import JobMeta, LoadedIndex
from assistant.jobs.lexical import LexicalResult
from assistant.jobs.models import Job, RecommendationLog
from assistant.jobs.query import CITY_REGION, JobRequest, parse_request

log = logging.getLogger(__name__)
CANDIDATE_POOL = 100  # nearest jobs fetched before filters and re-ranking
PER_TITLE_CAP = 2  # at most this many jobs with the same title on one page
MMR_LAMBDA = 0.9  # relevance vs. novelty in maximal marginal relevance
LEXICAL_POOL = 50  # best BM25 title matches added to the nearest jobs (the hybrid pool)
LEXICAL_WEIGHT = 0.05  # BM25 over the best BM25 of the request, added to the cosine (tuned: `assistant jobs eval --tune`)
RELEVANCE_MARGIN = 0.2  # with a role in the request, drop jobs more than 20% below the best match (max MAX_MARGIN)
MAX_MARGIN = 0.15  # unless every word of the role is in the job's title, department or skills
MIN_CARDS = 3  # the page policy: never fewer jobs than this when the pool holds them (a near miss is not alone)
SIMILAR_TO_VIEWED = 0.72  # "like the X role you viewed" above this cosine
CLOSE_TO_DESIRED = 0.5  # "close to the X roles you want" above this cosine with the profile
EVENT_WEIGHT = {"job_viewed": 1.0, "alert_clicked": 1.5, "apply_started": 3.0}
HALF_LIFE_DAYS = 7.0
CURRENCY_SYMBOL = {"EUR": "€", "GBP": "£", "USD": "US$", "CAD": "CA$"}
PROFILE_FIELDS = ["skills", "years_experience", "desired_roles", "preferred_locations", "work_preference"]


@dataclass
class Recommendation:
    job: Job
    score: float
    why: str

    def card(self) -> dict:
        """Returns the job card the chat widget renders."""
        job = self.job
        return {"id": job.external_id, "title": job.title, "location": location_label(job),
                "workplace": job.workplace, "salary": salary_label(job), "url": job.url, "why": self.why}


@dataclass
class Recommendations:
    items: list[Recommendation]
    more: bool  # more matching jobs exist beyond this page
    request: JobRequest
    reason: str = "ok"  # ok | no_signal (nothing to go on yet) | no_match (filters left nothing)
    basis: list[str] = field(default_factory=list)  # which signals were used: request, profile, behaviour


@dataclass
class _Signals:
    request: JobRequest
    terms: list[str]  # the role in the words postings use (titles.normalise), for BM25
    text_vector: np.ndarray | None
    profile_vector: np.ndarray | None
    viewed: dict[int, float]  # job id -> behaviour weight
    profile_skills: set[str]
    desired_roles: list[str]
    preferred_cities: list[str]
    work_preference: str
    years: float | None
    lexical: LexicalResult | None = None  # the BM25 side of the hybrid pool, once searched


def recommend_jobs(*, db_session: Session, text: str = "", candidate: Candidate | None = None,
                   visitor_id: str | None = None, conversation_id: str | None = None, similar: bool = False,
                   exclude_external_ids: list[str] | tuple = (), page_size: int = 5, log_shown: bool = True,
                   loaded: LoadedIndex | None = None, actor: audit_service.Actor | None = None,
                   newest_if_empty: bool = False) -> Recommendations:
    """Returns a page of open jobs for this person and request, each with a one-line reason.

    ``similar`` puts the weight on the jobs the person recently viewed ("something like the role I looked at").
    ``exclude_external_ids`` are jobs already shown in this conversation ("show more").
    ``newest_if_empty`` shows the newest open jobs when there is nothing to go on (every question skipped).
    """
    loaded = loaded or jobs_index.served(db_session=db_session)
    candidate_id = candidate.id if candidate is not None else None
    signals = _signals(db_session, loaded, text, candidate, visitor_id, actor)
    basis = [name for name, present in (("request", signals.text_vector is not None or signals.request.has_filters),
                                         ("profile", signals.profile_vector is not None),
                                         ("behaviour", bool(signals.viewed))) if present]
    query = _query_vector(loaded, signals, similar)
    mask = _allowed(loaded, signals)
    allowed = loaded.ids[mask] if mask is not None else None
    if query is None and allowed is None and newest_if_empty and not similar:
        allowed = loaded.ids
    if query is None and (similar or allowed is None):
        return Recommendations([], False, signals.request, "no_signal", basis)
    excluded = events_service.excluded_job_ids(db_session=db_session, candidate_id=candidate_id, visitor_id=visitor_id)
    excluded |= {loaded.by_external_id[e] for e in exclude_external_ids if e in loaded.by_external_id}
    if similar:
        excluded |= set(signals.viewed)  # they have seen those already
    if query is None:  # only filters ("internships in Berlin"): the newest matching jobs first
        pool = [(i, 0.0) for i in sorted(allowed.tolist(), reverse=True) if i not in excluded][:CANDIDATE_POOL]
    else:
        pool = _hybrid_pool(loaded, signals, query, allowed, mask, excluded)
    posted = _open_job_dates(db_session, [i for i, _ in pool])  # closed since the index was built: dropped here
    pool = [(i, s) for i, s in pool if i in posted]
    if signals.text_vector is not None and pool:
        pool = _page_policy(loaded, signals, pool)
    if not pool:
        return Recommendations([], False, signals.request, "no_match", basis)
    if query is None:
        pool = sorted(pool, key=lambda pair: posted[pair[0]], reverse=True)
    ranked = _rerank(loaded, signals, pool)
    page, more = _diversify(loaded, ranked, page_size)
    viewed_vectors = loaded.vectors(list(signals.viewed))
    jobs = {job.id: job for job in db_session.scalars(select(Job).where(Job.id.in_([i for i, _ in page])))}
    items = [Recommendation(jobs[i], round(score, 4), explain(jobs[i], loaded, signals, viewed_vectors))
             for i, score in page if i in jobs]
    if log_shown and items:
        log_recommendations(db_session=db_session, items=items, conversation_id=conversation_id,
                            candidate_id=candidate_id, visitor_id=None if candidate_id else visitor_id,
                            query=signals.request.describe())
    return Recommendations(items, more, signals.request, "ok", basis)


def _signals(db_session: Session, loaded: LoadedIndex, text: str, candidate: Candidate | None,
             visitor_id: str | None, actor: audit_service.Actor | None) -> _Signals:
    cities = loaded.cities
    request = parse_request(text or "", cities=cities, skills=loaded.skills)
    role_text = " ".join([request.text] + [s for s in request.skills if s.lower() not in request.text.lower()]).strip()
    normalised = titles.normalise(role_text, known=loaded.title_index().known) if role_text else None
    texts = [normalised.text] if normalised else []
    profile_text = ""
    profile_skills: set[str] = set()
    desired: list[str] = []
    preferred: list[str] = []
    preference, years = "any", None
    if candidate is not None:
        audit_service.record(db_session=db_session, actor=actor or audit_service.candidate_actor(candidate_id=candidate.id),
                             action="read", entity="candidate", entity_id=candidate.external_id,
                             candidate_id=candidate.id, fields=PROFILE_FIELDS)
        profile_skills = {s.lower() for s in candidate.skills or []}
        desired = list(candidate.desired_roles or [])
        preferred = [c for c in cities if any(c.lower() == p.strip().lower() for p in candidate.preferred_locations or [])]
        preference, years = candidate.work_preference or "any", candidate.years_experience
        profile_text = ". ".join(filter(None, [", ".join(desired), "Skills: " + ", ".join(candidate.skills) if candidate.skills else ""]))
        if profile_text:
            texts.append(profile_text)
    vectors = embed_texts(texts) if texts else None
    text_vector = vectors[0] if role_text else None
    profile_vector = vectors[-1] if profile_text else None
    viewed: dict[int, float] = {}
    now = datetime.now(timezone.utc)
    for event in events_service.recent_events(db_session=db_session, candidate_id=candidate.id if candidate else None,
                                              visitor_id=visitor_id, actor=actor):
        if event.job_id not in loaded.jobs:
            continue  # closed jobs still say what the person likes, but their vectors left the index
        age_days = max((now - as_utc(event.created_at)).total_seconds() / 86_400, 0.0)
        weight = EVENT_WEIGHT.get(event.kind, 1.0) * 0.5 ** (age_days / HALF_LIFE_DAYS)
        if event.kind == "job_viewed" and event.dwell_seconds:
            weight *= 1.0 + min(event.dwell_seconds, 300.0) / 60.0  # a long read counts up to six short glances
        viewed[event.job_id] = viewed.get(event.job_id, 0.0) + weight
    return _Signals(request, normalised.terms if normalised else [], text_vector, profile_vector, viewed, profile_skills, desired, preferred, preference, years)


_embedding_cache: OrderedDict[str, np.ndarray] = OrderedDict()  # "show more" and common requests skip the model
EMBEDDING_CACHE_SIZE = 2048


def embed_texts(texts: list[str]) -> np.ndarray:
    """Returns the embeddings of request and profile texts, from a small in-process LRU cache when possible."""
    missing = [t for t in dict.fromkeys(texts) if t not in _embedding_cache]
    if missing:
        for text, vector in zip(missing, embeddings.embed(missing)):
            _embedding_cache[text] = vector
    for text in texts:
        _embedding_cache.move_to_end(text)
    while len(_embedding_cache) > EMBEDDING_CACHE_SIZE:
        _embedding_cache.popitem(last=False)
    return np.stack([_embedding_cache[t] for t in texts])


def _normalise(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector


def _query_vector(loaded: LoadedIndex, signals: _Signals, similar: bool) -> np.ndarray | None:
    """Returns the blended query vector: the request leads, the profile and behaviour follow."""
    parts: list[tuple[float, np.ndarray]] = []
    if signals.viewed:
        ids = list(signals.viewed)
        weights = np.array([signals.viewed[i] for i in ids], dtype=np.float32)
        behaviour = _normalise((loaded.vectors(ids) * weights[:, None]).sum(axis=0))
        parts.append((1.0 if similar else (0.25 if signals.text_vector is not None else 0.5), behaviour))
    if signals.text_vector is not None:
        parts.append((1.0, signals.text_vector))
    if signals.profile_vector is not None:
        parts.append((0.3 if signals.text_vector is not None or similar else 1.0, signals.profile_vector))
    if similar and not signals.viewed and signals.text_vector is None:
        return None
    if not parts:
        return None
    return _normalise(sum(weight * vector for weight, vector in parts)).astype(np.float32)


@dataclass
class _PlaceFilter:
    office: bool = True  # jobs at an office are allowed
    cities: set[str] = field(default_factory=set)  # offices in these cities only (empty: any)
    office_workplaces: set[str] = field(default_factory=set)  # hybrid/onsite only (empty: both)
    remote: bool = True  # remote jobs are allowed
    regions: set[str] = field(default_factory=set)  # remote jobs in these regions only (empty: any)

    def mask(self, loaded: LoadedIndex) -> np.ndarray:
        """Returns a boolean mask over loaded.ids of the jobs in an accepted place."""
        remote = loaded.mask("workplace", {"remote"})
        ok = np.zeros(len(loaded.ids), dtype=bool)
        if self.remote:
            ok |= remote & (loaded.mask("country", self.regions) if self.regions else True)
        if self.office:
            office = ~remote
            if self.cities:
                office &= loaded.mask("city", self.cities)
            if self.office_workplaces:
                office &= loaded.mask("workplace", self.office_workplaces)
            ok |= office
        return ok


def _place_filter(signals: _Signals) -> _PlaceFilter | None:
    """Returns where jobs may be: what the request says, else the profile's preferences (None: anywhere)."""
    request = signals.request
    cities, workplaces = set(request.cities), set(request.workplaces)
    regions = set(request.regions)
    if "remote" in workplaces:
        regions |= {CITY_REGION[c] for c in cities if c in CITY_REGION}
        return _PlaceFilter(office=bool(workplaces - {"remote"}), cities=cities,
                            office_workplaces=workplaces - {"remote"}, remote=True, regions=regions)
    if workplaces:  # hybrid / onsite
        return _PlaceFilter(office=True, cities=cities, office_workplaces=workplaces, remote=False)
    if cities:  # "jobs in Berlin"; "jobs in the UK" also names a remote region
        return _PlaceFilter(office=True, cities=cities, remote=bool(regions), regions=regions)
    preferred, preference = set(signals.preferred_cities), signals.work_preference
    preferred_regions = {CITY_REGION[c] for c in preferred if c in CITY_REGION}
    if preference == "remote":
        return _PlaceFilter(office=False, remote=True, regions=preferred_regions)
    if preference in ("hybrid", "onsite"):
        return _PlaceFilter(office=True, cities=preferred, office_workplaces={preference}, remote=False)
    if preferred:
        return _PlaceFilter(office=True, cities=preferred, remote=True, regions=preferred_regions)
    return None


def _allowed(loaded: LoadedIndex, signals: _Signals) -> np.ndarray | None:
    """Returns a boolean mask over loaded.ids of the jobs passing the place and level filters (None: no filter)."""
    place, levels = _place_filter(signals), set(signals.request.levels)
    if place is None and not levels:
        return None
    ok = place.mask(loaded) if place is not None else np.ones(len(loaded.ids), dtype=bool)
    if levels:
        ok &= loaded.mask("level", levels)
    return ok


def _hybrid_pool(loaded: LoadedIndex, signals: _Signals, query: np.ndarray, allowed: np.ndarray | None,
                 mask: np.ndarray | None, excluded: set[int]) -> list[tuple[int, float]]:
    """Returns (job id, cosine with the query) of the nearest jobs and the best BM25 title matches, merged."""
    scores, ids = loaded.search(query, CANDIDATE_POOL, allowed=allowed)
    pool = {int(i): float(s) for i, s in zip(ids[0], scores[0]) if i >= 0 and int(i) not in excluded}
    if signals.terms:
        signals.lexical = loaded.title_index().search(signals.terms, LEXICAL_POOL, allowed=mask)
        extra = [i for i in signals.lexical.hits if i not in pool and i not in excluded]
        if extra:
            pool.update(zip(extra, (loaded.vectors(extra) @ query).tolist()))
    return list(pool.items())


def _page_policy(loaded: LoadedIndex, signals: _Signals, pool: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """Returns the pool scored by cosine plus BM25, keeping jobs near the best match (at least MIN_CARDS)."""
    lexical = signals.lexical
    ids = [i for i, _ in pool]
    bm25 = np.array([lexical.score(i) if lexical else 0.0 for i in ids], dtype=np.float32)
    text_sims = loaded.vectors(ids) @ signals.text_vector + LEXICAL_WEIGHT * bm25
    best = float(text_sims.max())
    floor = best - min(MAX_MARGIN, RELEVANCE_MARGIN * best)
    order = np.argsort(-text_sims, kind="stable")
    kept = [row for row in order.tolist()
            if text_sims[row] >= floor or (lexical is not None and lexical.title_match(ids[row]))]
    if len(kept) < MIN_CARDS:  # a near miss at rank one must not leave the person with nothing right
        kept += [row for row in order.tolist() if row not in kept][: MIN_CARDS - len(kept)]
    return [(ids[row], pool[row][1] + LEXICAL_WEIGHT * float(bm25[row])) for row in kept]


def _open_job_dates(db_session: Session, ids: list[int]) -> dict[int, datetime]:
    """Returns {job id: posted_at} for those of ids that are still open (the database is the truth)."""
    if not ids:
        return {}
    rows = db_session.execute(select(Job.id, Job.posted_at).where(Job.id.in_(ids), jobs_service.open_job_filter()))
    return {job_id: as_utc(posted_at) for job_id, posted_at in rows}


def _level_fit(level: str, years: float | None) -> bool:
    if years is None:
        return False
    bands = {"intern": (0, 1), "junior": (0, 3), "mid": (2, 6), "senior": (5, 12), "lead": (7, 40),
             "manager": (6, 40), "director": (10, 40)}
    low, high = bands.get(level, (0, 40))
    return low <= years <= high


def _skill_matches(meta: JobMeta, wanted: set[str]) -> list[str]:
    return [skill for skill in meta.skills if skill.lower() in wanted]


def _rerank(loaded: LoadedIndex, signals: _Signals, pool: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """Returns the pool ordered by similarity plus small boosts for shared skills and a fitting level."""
    wanted = signals.profile_skills | {s.lower() for s in signals.request.skills}
    ranked = []
    for job_id, similarity in pool:
        meta = loaded.jobs[job_id]
        score = similarity + 0.03 * min(len(_skill_matches(meta, wanted)), 3)
        if not signals.request.levels and _level_fit(meta.level, signals.years):
            score += 0.03
        ranked.append((job_id, score))
    return sorted(ranked, key=lambda pair: pair[1], reverse=True)


def _title_key(title: str) -> str:
    return title.lower().strip()  # the same posting in several places is a near-copy


def _diversify(loaded: LoadedIndex, ranked: list[tuple[int, float]], page_size: int) -> tuple[list[tuple[int, float]], bool]:
    """Returns one page chosen by MMR with a per-title cap, and whether more jobs remain."""
    candidates = ranked[: max(page_size * 8, 40)]
    vectors = loaded.vectors([i for i, _ in candidates])
    chosen: list[int] = []
    titles: dict[str, int] = {}
    remaining = list(range(len(candidates)))
    while remaining and len(chosen) < page_size:
        best, best_value = None, -math.inf
        for row in remaining:
            job_id, score = candidates[row]
            key = _title_key(loaded.jobs[job_id].title)
            if titles.get(key, 0) >= PER_TITLE_CAP:
                continue
            redundancy = max((float(vectors[row] @ vectors[c]) for c in chosen), default=0.0)
            value = MMR_LAMBDA * score - (1 - MMR_LAMBDA) * redundancy
            if value > best_value:
                best, best_value = row, value
        if best is None:  # only capped titles remain: relax the cap rather than show fewer jobs
            best = remaining[0]
        chosen.append(best)
        remaining.remove(best)
        key = _title_key(loaded.jobs[candidates[best][0]].title)
        titles[key] = titles.get(key, 0) + 1
    return [candidates[row] for row in chosen], len(ranked) > len(chosen)


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def explain(job: Job, loaded: LoadedIndex, signals: _Signals, viewed_vectors: np.ndarray) -> str:
    """Returns the one-line reason shown under a recommended job."""
    meta = loaded.jobs[job.id]
    vector = loaded.vectors([job.id])[0]
    parts: list[str] = []
    asked = _skill_matches(meta, {s.lower() for s in signals.request.skills})
    from_profile = [s for s in _skill_matches(meta, signals.profile_skills) if s not in asked]
    if asked:
        parts.append(f"Uses {_join(asked[:3])}, as you asked")
    elif from_profile:
        parts.append(f"Matches your {_join(from_profile[:3])} skills")
    if signals.viewed and len(viewed_vectors):
        sims = viewed_vectors @ vector
        best = int(np.argmax(sims))
        anchor = loaded.jobs[list(signals.viewed)[best]]
        if float(sims[best]) >= SIMILAR_TO_VIEWED and anchor.id != job.id:
            parts.append(f"Like the {anchor.title} role you viewed")
    if not parts and signals.request.text:
        parts.append(f"Fits your search for {signals.request.text}")
    if not parts and signals.desired_roles and signals.profile_vector is not None:
        closeness = float(vector @ signals.profile_vector)
        if closeness >= CLOSE_TO_DESIRED:  # otherwise the reason would claim a likeness that is not there
            parts.append(f"Close to the {_join(signals.desired_roles[:2])} roles you want")
    if not parts and signals.request.levels:
        parts.append(f"{job.level.capitalize()} level, as you asked")
    parts.append(_place_reason(job, signals))
    return " · ".join(parts)[:300]


def _place_reason(job: Job, signals: _Signals) -> str:
    if job.workplace == "remote":
        return f"Remote in {job.country}" if job.country else "Remote"
    where = f"{job.city} ({job.workplace})"
    if job.city in signals.preferred_cities and not signals.request.cities:
        return f"In {where}, one of your preferred places"
    return f"In {where}"


def location_label(job: Job) -> str:
    """Returns where the job is, as shown on a card ("Berlin, Germany" or "Remote (EU)")."""
    if job.workplace == "remote":
        return f"Remote ({job.country})" if job.country else "Remote"
    return ", ".join(filter(None, [job.city, job.country]))


def salary_label(job: Job) -> str:
    """Returns the pay range as shown on a card, or an empty string when the posting has none."""
    if job.salary_min is None and job.salary_max is None:
        return ""
    symbol = CURRENCY_SYMBOL.get(job.currency, job.currency + " ")
    low, high = job.salary_min or job.salary_max, job.salary_max or job.salary_min
    period = "" if job.employment_type == "internship" else " a year"
    return f"{symbol}{low:,}–{symbol}{high:,}{period}" if low != high else f"{symbol}{low:,}{period}"


def log_recommendations(*, db_session: Session, items: list[Recommendation], conversation_id: str | None,
                        candidate_id: int | None, visitor_id: str | None, query: str) -> list[RecommendationLog]:
    """Returns the log rows written for a page of recommendations shown (one per job, with its rank)."""
    rows = [RecommendationLog(conversation_id=conversation_id, candidate_id=candidate_id, visitor_id=visitor_id,
                              job_id=item.job.id, rank=rank, score=item.score, explanation=item.why, query=query or None)
            for rank, item in enumerate(items, start=1)]
    db_session.add_all(rows)
    db_session.flush()
    return rows
