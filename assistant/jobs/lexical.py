"""The lexical half of the hybrid job search: BM25 over the normalised titles of the served jobs.

Jobs with the same title, department and skills share one BM25 document (a large catalogue repeats its
titles across places), so a query scores distinct titles, not every job. Built once per loaded index
version and kept with it; the title weighs three times the department and skills.
"""

from __future__ import annotations

from dataclasses import dataclass

import bm25s
import numpy as np

from assistant.jobs import titles

TITLE_WEIGHT = 3  # title terms are repeated this often in a document


@dataclass
class LexicalResult:
    """One query's BM25 scores: the best-scoring jobs, and any job's score and title match."""

    hits: list[int]  # job ids, best document first
    _doc_scores: np.ndarray  # per document, divided by the best (the best is 1.0)
    _wanted: frozenset[str]
    _index: "TitleIndex"

    def score(self, job_id: int) -> float:
        document = self._index.doc_of.get(job_id)
        return float(self._doc_scores[document]) if document is not None else 0.0

    def title_match(self, job_id: int) -> bool:
        """Returns whether every request term is in this job's title, department or skills."""
        document = self._index.doc_of.get(job_id)
        return document is not None and bool(self._wanted) and self._wanted <= self._index.named_terms[document]


class TitleIndex:
    """BM25 over distinct (title, department, skills) of the jobs in one loaded index."""

    def __init__(self, metas: list) -> None:
        keys: dict[tuple, int] = {}
        self.rows: list[list[int]] = []  # document -> positions in metas
        documents: list[list[str]] = []
        self.named_terms: list[frozenset[str]] = []  # per document: its title, department and skill terms
        for position, meta in enumerate(metas):
            key = (meta.title, meta.department, tuple(meta.skills))
            if key not in keys:
                keys[key] = len(documents)
                title, department = titles.title_terms(meta.title), titles.title_terms(meta.department)
                skills = [t for skill in meta.skills for t in titles.title_terms(skill)]
                documents.append(title * TITLE_WEIGHT + department + skills)
                self.named_terms.append(frozenset(title + department + skills))
                self.rows.append([])
            self.rows[keys[key]].append(position)
        self.ids = np.array([m.id for m in metas], dtype=np.int64)
        self.doc_of = {int(self.ids[p]): d for d, positions in enumerate(self.rows) for p in positions}
        self.known = frozenset(t for doc in documents for t in doc)  # the words typos are corrected to
        self.retriever = bm25s.BM25()
        if documents:
            self.retriever.index(documents, show_progress=False)

    def search(self, terms: list[str], k: int, allowed: np.ndarray | None = None) -> LexicalResult:
        """Returns the query's scores and up to k best jobs (allowed: boolean mask over the metas' positions)."""
        wanted = frozenset(terms)
        empty = np.zeros(len(self.rows), dtype=np.float32)
        if not terms or not self.rows:
            return LexicalResult([], empty, wanted, self)
        scores = np.asarray(self.retriever.get_scores(list(dict.fromkeys(terms))), dtype=np.float32)
        best = float(scores.max())
        if best <= 0:
            return LexicalResult([], empty, wanted, self)
        scores /= best
        hits: list[int] = []
        matching = np.flatnonzero(scores > 0)
        for document in matching[np.argsort(-scores[matching], kind="stable")].tolist():
            for position in self.rows[document]:
                if allowed is None or allowed[position]:
                    hits.append(int(self.ids[position]))
                    if len(hits) >= k:
                        return LexicalResult(hits, scores, wanted, self)
        return LexicalResult(hits, scores, wanted, self)
