"""The FAISS index of open jobs: stable ids, incremental sync, exact or approximate search, versions on disk.

Layout under ``<root>`` (default ``settings.index_dir / "jobs"``; versions, pointer and lock as in
``assistant.index_versions``)::

    CURRENT                   name of the served version
    v20261125T101500123456/   manifest.json (kind, counts, recall), jobs.json (filter fields), vectors.faiss

FAISS ids are the ``job.id`` primary keys. ``sync`` compares the open jobs in the database with the
served version and only embeds new or changed jobs, removes closed or deleted ones, and publishes the
result as a new version. Small catalogues use exact search (``IndexIDMap2(IndexFlatIP)``); above
``APPROX_THRESHOLD`` vectors an ``IndexIVFFlat`` (which supports ``remove_ids`` and ``add_with_ids``)
is trained, and its ``nprobe`` is calibrated at build time until recall@10 against exact search
reaches ``TARGET_RECALL`` (the measured value is kept in the manifest).
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import faiss
import numpy as np
from sqlalchemy.orm import Session

from assistant import embeddings, index_versions
from assistant.jobs.models import Job
from assistant.settings import get_settings

log = logging.getLogger(__name__)
APPROX_THRESHOLD = 20_000  # vectors; below it exact search is fast enough and exact
TARGET_RECALL = 0.97  # calibrate nprobe until this recall@10 against exact search (the goal is >= 0.95)
RETRAIN_GROWTH = 2.0  # retrain the IVF quantizer when the catalogue has doubled since training
SEARCH_THREADS = 1  # one request's search is too small to share out; threads only wait for each other on a busy machine


@dataclass(frozen=True)
class JobMeta:
    """What filters, explanations and diversity need about a job, kept with the index."""

    id: int
    external_id: str
    title: str
    department: str
    level: str
    city: str | None
    country: str | None
    workplace: str
    skills: list[str] = field(default_factory=list)
    content_hash: str = ""


def embedding_text(job: Job | JobMeta, summary: str = "") -> str:
    """Returns the text embedded for a job: title, skills, department and summary."""
    return f"{job.title}. Skills: {', '.join(job.skills)}. {job.department.capitalize()}. {summary}".strip()


def content_hash(job: Job) -> str:
    """Returns a hash of what the embedding depends on (a change means re-embedding)."""
    text = embedding_text(job, job.summary)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def meta_of(job: Job) -> JobMeta:
    return JobMeta(job.id, job.external_id, job.title, job.department, job.level, job.city, job.country,
                   job.workplace, list(job.skills or []), content_hash(job))


@dataclass
class LoadedIndex:
    version: str
    manifest: dict
    index: faiss.Index
    jobs: dict[int, JobMeta]

    def __post_init__(self) -> None:
        metas = list(self.jobs.values())
        self.ids = np.array([m.id for m in metas], dtype=np.int64)
        self.by_external_id = {m.external_id: m.id for m in metas}
        self.cities = sorted({m.city for m in metas if m.city})
        self.skills = sorted({s for m in metas for s in m.skills})
        self._title_index = None
        self._codes: dict[str, tuple[dict, np.ndarray]] = {}
        for name in ("city", "country", "workplace", "level"):
            values = [getattr(m, name) or "" for m in metas]
            uniques, codes = np.unique(np.array(values, dtype=object), return_inverse=True)
            self._codes[name] = ({v: i for i, v in enumerate(uniques.tolist())}, codes)

    def title_index(self):
        """Returns the BM25 index of this version's job titles (built on first use)."""
        if self._title_index is None:
            from assistant.jobs.lexical import TitleIndex

            self._title_index = TitleIndex(list(self.jobs.values()))
        return self._title_index

    @property
    def kind(self) -> str:
        return self.manifest["kind"]

    def mask(self, name: str, values: set[str]) -> np.ndarray:
        """Returns a boolean mask over ``ids``: jobs whose field (city, country, workplace, level) is one of values."""
        lookup, codes = self._codes[name]
        accepted = np.zeros(len(lookup), dtype=bool)  # one flag per distinct value, then gathered per job
        accepted[[lookup[v] for v in values if v in lookup]] = True
        return accepted[codes]

    def search(self, vector: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Returns (scores, ids) of the k nearest jobs to each query row, optionally only among allowed ids."""
        return search(self.index, vector, k, allowed=allowed, nprobe=self.manifest.get("nprobe"))

    def vectors(self, ids: list[int]) -> np.ndarray:
        """Returns the stored vectors of these job ids (one row each)."""
        if not ids:
            return np.zeros((0, self.manifest["dimension"]), dtype=np.float32)
        return self.index.reconstruct_batch(np.asarray(ids, dtype=np.int64)).astype(np.float32)


def search(index: faiss.Index, vector: np.ndarray, k: int, *, allowed: np.ndarray | None = None,
           nprobe: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Returns (scores, ids) from a flat or IVF index, restricted to allowed ids when given."""
    query = np.ascontiguousarray(np.atleast_2d(vector), dtype=np.float32)
    if len(query) == 1 and faiss.omp_get_max_threads() != SEARCH_THREADS:
        faiss.omp_set_num_threads(SEARCH_THREADS)
    k = max(1, min(k, index.ntotal))
    selector = None
    if allowed is not None:
        allowed = np.ascontiguousarray(allowed, dtype=np.int64)
        selector = faiss.IDSelectorBatch(len(allowed), faiss.swig_ptr(allowed))
    if isinstance(index, faiss.IndexIVF):
        if allowed is not None and nprobe:  # a filter leaves fewer jobs per list: probe proportionally more lists
            nprobe = min(index.nlist, math.ceil(nprobe * index.ntotal / max(len(allowed), 1)))
        params = faiss.SearchParametersIVF(nprobe=nprobe or 1, sel=selector) if selector else faiss.SearchParametersIVF(nprobe=nprobe or 1)
        return index.search(query, k, params=params)
    if selector is not None:
        return index.search(query, k, params=faiss.SearchParameters(sel=selector))
    return index.search(query, k)


def remove_ids(index: faiss.Index, ids: list[int]) -> int:
    """Removes these job ids from a flat or IVF index; returns how many were there."""
    if not ids:
        return 0
    gone = np.ascontiguousarray(ids, dtype=np.int64)
    return int(index.remove_ids(faiss.IDSelectorArray(len(gone), faiss.swig_ptr(gone))))


def build_index(vectors: np.ndarray, ids: np.ndarray, *, approximate: bool | None = None,
                target_recall: float = TARGET_RECALL) -> tuple[faiss.Index, dict]:
    """Returns a new index over vectors with these ids (exact below the threshold) and facts for the manifest."""
    count, dim = vectors.shape
    approximate = count >= APPROX_THRESHOLD if approximate is None else approximate
    ids = np.ascontiguousarray(ids, dtype=np.int64)
    if not approximate:
        index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        index.add_with_ids(vectors, ids)
        return index, {"kind": "exact", "trained_on": count, "nprobe": None, "recall_at_10": 1.0}
    nlist = int(min(max(4 * math.sqrt(count), 16), count // 39))
    quantizer = faiss.IndexFlatIP(dim)
    index = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
    index.cp.seed, index.cp.niter = 5, 15
    rng = np.random.default_rng(5)
    sample = vectors[rng.choice(count, size=min(count, nlist * 40), replace=False)]
    index.train(sample)
    index.set_direct_map_type(faiss.DirectMap.Hashtable)  # reconstruct and remove_ids by job id
    index.add_with_ids(vectors, ids)
    nprobe, recall = calibrate_nprobe(index, vectors, ids, target_recall=target_recall)
    return index, {"kind": "ivf", "nlist": nlist, "trained_on": count, "nprobe": nprobe, "recall_at_10": recall}


def calibrate_nprobe(index: faiss.IndexIVF, vectors: np.ndarray, ids: np.ndarray, *, target_recall: float,
                     queries: int = 300, seed: int = 7) -> tuple[int, float]:
    """Returns the smallest power-of-two nprobe whose recall@10 against exact search reaches the target."""
    rng = np.random.default_rng(seed)
    picked = rng.choice(len(vectors), size=min(queries, len(vectors)), replace=False)
    scales = np.array([0.02, 0.05, 0.1, 0.2], dtype=np.float32)[np.arange(len(picked)) % 4][:, None]
    noise = rng.normal(size=(len(picked), vectors.shape[1])).astype(np.float32) * scales
    probe = vectors[picked] + noise  # near to far (cosine ~0.3 at 0.2): a profile close to a role, or a short request
    probe /= np.linalg.norm(probe, axis=1, keepdims=True)
    exact = faiss.IndexFlatIP(vectors.shape[1])
    exact.add(vectors)
    _, truth_rows = exact.search(probe, 10)
    truth = ids[truth_rows]
    nprobe, recall = 1, 0.0
    while nprobe <= index.nlist:
        _, found = search(index, probe, 10, nprobe=nprobe)
        recall = recall_at_k(found, truth)
        if recall >= target_recall:
            break
        nprobe *= 2
    return min(nprobe, index.nlist), recall


def recall_at_k(found: np.ndarray, truth: np.ndarray) -> float:
    """Returns the mean share of the true neighbours (rows of truth) that were found."""
    hits = [len(set(f.tolist()) & set(t.tolist())) / len(t) for f, t in zip(found, truth)]
    return float(np.mean(hits)) if hits else 1.0


# --- publishing and serving versions -------------------------------------------------------------

def default_root() -> Path:
    return get_settings().index_dir / "jobs"


def current_version(root: Path | None = None) -> str | None:
    """Returns the name of the served version, or None before the first build."""
    return index_versions.current_version(Path(root or default_root()))


def load_version(root: Path, version: str) -> LoadedIndex:
    """Returns one version read into memory."""
    folder = root / version
    manifest = json.loads((folder / "manifest.json").read_text())
    jobs = {row["id"]: JobMeta(**row) for row in json.loads((folder / "jobs.json").read_text())}
    index = faiss.read_index(str(folder / "vectors.faiss"))
    return LoadedIndex(version, manifest, index, jobs)


@dataclass(frozen=True)
class SyncResult:
    version: str
    published: bool  # False when nothing changed
    kind: str
    jobs: int
    added: int
    updated: int
    removed: int
    rebuilt: bool
    seconds: float


def sync(*, db_session: Session, root: Path | None = None, force_rebuild: bool = False) -> SyncResult:
    """Returns what bringing the index in line with the open jobs did (only new or changed jobs are embedded)."""
    from assistant.jobs import service as jobs_service

    root = Path(root or default_root())
    started = time.monotonic()
    jobs = jobs_service.list_open_jobs(db_session=db_session)
    with index_versions.build_lock(root):
        version = current_version(root)
        loaded = load_version(root, version) if version and (root / version).is_dir() else None
        if loaded is not None and loaded.manifest.get("model") != embeddings.model_name():
            loaded, force_rebuild = None, True
        wanted = {job.id: meta_of(job) for job in jobs}
        have = loaded.jobs if loaded else {}
        removed = [i for i in have if i not in wanted]
        changed = [i for i in wanted if i in have and have[i].content_hash != wanted[i].content_hash]
        added = [i for i in wanted if i not in have]
        meta_only = [i for i in wanted if i in have and have[i] != wanted[i] and i not in changed]
        if loaded and not (removed or changed or added or meta_only or force_rebuild):
            return SyncResult(loaded.version, False, loaded.kind, len(wanted), 0, 0, 0, False, time.monotonic() - started)
        by_id = {job.id: job for job in jobs}
        fresh_ids = added + changed
        fresh = _embed_jobs([by_id[i] for i in fresh_ids], [wanted[i].content_hash for i in fresh_ids]) if fresh_ids else None
        index, facts, rebuilt = _updated_index(loaded, wanted, removed, fresh_ids, fresh, force_rebuild)
        version = _publish_locked(root, index, facts, list(wanted.values()))
    seconds = time.monotonic() - started
    log.info("jobs index %s published (%s): %d jobs, %d added, %d updated, %d removed in %.1fs",
             version, facts["kind"], len(wanted), len(added), len(changed), len(removed), seconds)
    return SyncResult(version, True, facts["kind"], len(wanted), len(added), len(changed), len(removed), rebuilt, seconds)


_vector_cache: dict[tuple[str, str], np.ndarray] = {}  # (model, content hash) -> vector, this process only
VECTOR_CACHE_LIMIT = 200_000


def _embed_jobs(jobs: list[Job], hashes: list[str]) -> np.ndarray:
    """Returns a vector per job, embedding only texts this process has not embedded before."""
    model = embeddings.model_name()
    missing = [(job, h) for job, h in zip(jobs, hashes) if (model, h) not in _vector_cache]
    if missing:
        if len(_vector_cache) + len(missing) > VECTOR_CACHE_LIMIT:
            _vector_cache.clear()
        vectors = embeddings.embed([embedding_text(job, job.summary) for job, _ in missing])
        _vector_cache.update({(model, h): v for (_, h), v in zip(missing, vectors)})
    return np.stack([_vector_cache[(model, h)] for h in hashes]).astype(np.float32)


def _updated_index(loaded: LoadedIndex | None, wanted: dict[int, JobMeta], removed: list[int],
                   fresh_ids: list[int], fresh: np.ndarray | None, force_rebuild: bool) -> tuple[faiss.Index, dict, bool]:
    """Returns the index with removals and fresh vectors applied, rebuilt only when its kind must change."""
    count = len(wanted)
    should_be_approx = count >= APPROX_THRESHOLD
    if loaded is not None and not force_rebuild:
        is_approx = loaded.kind == "ivf"
        outgrown = is_approx and count > RETRAIN_GROWTH * loaded.manifest.get("trained_on", count)
        if is_approx == should_be_approx and not outgrown:
            index = loaded.index
            remove_ids(index, removed + fresh_ids)
            if fresh is not None:
                index.add_with_ids(fresh, np.array(fresh_ids, dtype=np.int64))
            facts = {k: loaded.manifest[k] for k in ("kind", "trained_on", "nprobe", "recall_at_10", "nlist") if k in loaded.manifest}
            return index, facts, False
    # First build, or the kind changes: gather every vector (stored ones are reused, not re-embedded).
    fresh_map = dict(zip(fresh_ids, fresh)) if fresh is not None else {}
    ids = np.array(sorted(wanted), dtype=np.int64)
    dim = embeddings.dimension()
    vectors = np.zeros((len(ids), dim), dtype=np.float32)
    for row, job_id in enumerate(ids.tolist()):
        vectors[row] = fresh_map[job_id] if job_id in fresh_map else loaded.index.reconstruct(job_id)
    index, facts = build_index(vectors, ids, approximate=should_be_approx)
    return index, facts, True


def publish(*, root: Path, index: faiss.Index, facts: dict, jobs: list[JobMeta]) -> str:
    """Returns the name of a new version holding this index, now served (used by sync and the benchmark)."""
    with index_versions.build_lock(root):
        return _publish_locked(root, index, facts, jobs)


def _publish_locked(root: Path, index: faiss.Index, facts: dict, jobs: list[JobMeta]) -> str:
    return index_versions.publish(root, lambda folder, version: _write_version(folder, version, index, facts, jobs))


def _write_version(folder: Path, version: str, index: faiss.Index, facts: dict, jobs: list[JobMeta]) -> None:
    faiss.write_index(index, str(folder / "vectors.faiss"))
    (folder / "jobs.json").write_text(json.dumps([asdict(job) for job in jobs]))
    manifest = {"version": version, "model": embeddings.model_name(), "dimension": int(index.d),
                "created_at": datetime.now(timezone.utc).isoformat(), "jobs": len(jobs), **facts}
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2))


_served = index_versions.Served("jobs", load_version)


def served(*, db_session: Session | None = None, root: Path | None = None) -> LoadedIndex:
    """Returns the jobs index this process serves (the newest published version under root).

    Without any version yet, one is built from the database when a session is given."""
    root = Path(root or default_root())

    def build_first() -> str:
        if db_session is None:
            raise LookupError("no jobs index has been built yet (run `assistant jobs index`)")
        return sync(db_session=db_session, root=root).version

    return _served.get(root, build_first)


def build_demo_index() -> None:
    """Brings the default jobs index up to date with the database (registered in assistant.demo)."""
    from assistant.db import session_scope

    with session_scope() as db:
        sync(db_session=db)
