"""BM25 over the same sections the embeddings index (bm25s), built in memory when an index loads."""

from __future__ import annotations

import bm25s
import numpy as np

from assistant.knowledge.documents import Section


def _tokenize(texts: list[str]):
    return bm25s.tokenize(texts, stopwords="en", show_progress=False)


def build(sections: list[Section]) -> bm25s.BM25:
    """Returns a BM25 index with one entry per section, in section order."""
    retriever = bm25s.BM25()
    retriever.index(_tokenize([s.search_text for s in sections]), show_progress=False)
    return retriever


def scores(retriever: bm25s.BM25, query: str) -> np.ndarray:
    """Returns the BM25 score of every section for query (zeros when no query word is indexed)."""
    tokens = bm25s.tokenize([query], stopwords="en", show_progress=False, return_ids=False)[0]
    if not tokens:
        return np.zeros(retriever.scores["num_docs"], dtype=np.float32)
    return retriever.get_scores(tokens).astype(np.float32)
