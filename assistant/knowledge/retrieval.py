"""Ranking documents for a question: embeddings (FAISS), BM25, or both fused; section hits grouped per document."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import numpy as np

from assistant import embeddings
from assistant.knowledge import lexical
from assistant.knowledge.documents import Section
from assistant.knowledge.index import LoadedIndex, alias_owners

Method = Literal["embeddings", "bm25", "hybrid"]
METHODS: tuple[Method, ...] = ("embeddings", "bm25", "hybrid")
BM25_WEIGHT = 0.03  # hybrid = cosine + 0.03 * BM25 (score fusion; tuned with `assistant kb eval`)
OUT_OF_SCOPE_FILE = Path(__file__).with_name("out_of_scope.txt")


@dataclass(frozen=True)
class DocumentHit:
    doc_path: str
    title: str
    url: str
    section: Section  # the best section of this document for the question
    score: float  # the ranking score of the method used
    similarity: float  # cosine of the best section (the calibrated confidence)


@dataclass(frozen=True)
class Ranking:
    query: str
    hits: list[DocumentHit]  # best first, one per document
    out_of_scope_similarity: float  # how close the query is to a topic the knowledge base does not cover


SectionKey = tuple[str, str]  # (doc_path, heading): one section, as the chat shows and logs it


def rank(index: LoadedIndex, query: str, *, method: Method = "hybrid", limit: int = 5,
         only_doc: str | None = None, exclude: frozenset[SectionKey] = frozenset()) -> Ranking:
    """Returns the documents best matching query, aggregated from their sections (max per document).

    The query is searched with the meanings of its glossary terms added. Sections in exclude (already
    shown, for a follow-up) do not answer: a document keeps its place but offers its best section not
    shown yet (its best one again only when all were shown).
    """
    searched = index.glossary.expand(query)
    vector = _query_vector(searched)
    cosine = _cosines(index, vector)
    if method == "embeddings":
        section_scores = cosine
    else:
        bm25 = lexical.scores(index.bm25, searched)
        section_scores = bm25 if method == "bm25" else cosine + BM25_WEIGHT * bm25
    best: dict[str, int] = {}  # the document's best section: its place in the ranking
    fresh: dict[str, int] = {}  # the document's best section not shown yet: what it answers with
    doc_cosine: dict[str, float] = {}
    for i, section in enumerate(index.sections):
        if only_doc is not None and section.doc_path != only_doc:
            continue
        path = section.doc_path
        if path not in best or section_scores[i] > section_scores[best[path]]:
            best[path] = i
        if (path, section.heading) not in exclude and (path not in fresh or section_scores[i] > section_scores[fresh[path]]):
            fresh[path] = i
        doc_cosine[path] = max(doc_cosine.get(path, -1.0), float(cosine[i]))
    ordered = sorted(best.items(), key=lambda item: -section_scores[item[1]])[:limit]
    hits = [DocumentHit(path, index.sections[i].doc_title, index.sections[i].url, index.sections[fresh.get(path, i)],
                        float(section_scores[i]), doc_cosine[path]) for path, i in ordered]
    return Ranking(query, hits, float((vector @ _out_of_scope_vectors().T).max()))


@lru_cache(maxsize=2048)
def _query_vector(query: str) -> np.ndarray:
    return embeddings.embed([query])


def _cosines(index: LoadedIndex, vector: np.ndarray) -> np.ndarray:
    """Returns the cosine of every section: the best of its own vector and its aliases' (FAISS inner product)."""
    scores, ids = index.vectors.search(vector, index.vectors.ntotal)
    rows = np.empty(index.vectors.ntotal, dtype=np.float32)
    rows[ids[0]] = scores[0]
    count = len(index.sections)
    cosine = rows[:count].copy()
    np.maximum.at(cosine, alias_owners(index.sections), rows[count:])
    return cosine


@lru_cache
def _out_of_scope_vectors() -> np.ndarray:
    topics = [line.strip() for line in OUT_OF_SCOPE_FILE.read_text().splitlines()
              if line.strip() and not line.startswith("#")]
    return embeddings.embed(topics)
