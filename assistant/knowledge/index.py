"""Building and publishing versioned knowledge indexes, and serving the newest one.

Layout under ``<index_root>`` (default ``settings.index_dir / "knowledge"``; versions, pointer and lock
as in ``assistant.index_versions``)::

    CURRENT                  name of the served version
    v20261125T101500-1a2b3c/ manifest.json, sections.json, vectors.faiss, glossary.json
    embedding-cache-*.npz    section vectors by content hash and model (only changed sections re-embed)

A build that finds problems raises ``KnowledgeCheckFailed`` before touching ``CURRENT``, so the index
being served stays.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import faiss
import numpy as np

from assistant import embeddings, index_versions
from assistant.knowledge import vocabulary
from assistant.knowledge.documents import Document, Problem, Section, load
from assistant.settings import get_settings

log = logging.getLogger(__name__)
INDEX_FORMAT = 2  # bump when the files of a version change shape (2: section alias vectors, glossary.json)


class KnowledgeCheckFailed(Exception):
    """The knowledge base has problems; nothing was published."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the knowledge base; first: {problems[0]}")


class KnowledgeUnavailable(Exception):
    """No index has been built yet and none could be built."""


@dataclass(frozen=True)
class BuildResult:
    version: str
    published: bool  # False when nothing changed and the served version was kept
    documents: int
    sections: int
    embedded: int  # texts (sections and section aliases) whose vectors were computed; the rest came from the cache
    seconds: float


def default_root() -> Path:
    return get_settings().index_dir / "knowledge"


def build(*, knowledge_dir: Path | None = None, root: Path | None = None, lenient: bool = False,
          force: bool = False, progress: bool = False) -> BuildResult:
    """Returns the result of checking, embedding and publishing the knowledge base as a new version.

    Raises KnowledgeCheckFailed (the served version stays) when the content has problems.
    """
    knowledge_dir = knowledge_dir or get_settings().knowledge_dir
    root = root or default_root()
    started = time.monotonic()
    documents, problems = load(knowledge_dir, lenient=lenient)
    if problems:
        raise KnowledgeCheckFailed(problems)
    if not documents:
        raise KnowledgeCheckFailed([Problem(str(knowledge_dir), 0, "no Markdown documents found")])
    glossary = vocabulary.load_glossary(knowledge_dir)[0]
    with index_versions.build_lock(root):
        doc_hashes = {d.path: d.content_hash for d in documents}
        model = embeddings.model_name()
        fingerprint = hashlib.sha256(json.dumps([INDEX_FORMAT, model, sorted(doc_hashes.items()), glossary.to_json()])
                                     .encode()).hexdigest()[:12]
        current = current_version(root)
        if not force and current and current.endswith(fingerprint) and (root / current).is_dir():
            sections = sum(len(d.sections) for d in documents)
            return BuildResult(current, False, len(documents), sections, 0, time.monotonic() - started)
        sections = [s for d in documents for s in d.sections]
        texts = [s.search_text for s in sections] + [a for s in sections for a in s.section_aliases]
        vectors, embedded = _vectors(texts, root, model, progress=progress)
        version = index_versions.publish(
            root, lambda folder, name: _write_version(folder, name, documents, sections, vectors, model, doc_hashes,
                                                 glossary),
            suffix=f"-{fingerprint}")
    seconds = time.monotonic() - started
    log.info("knowledge index %s published: %d documents, %d sections, %d embedded in %.1fs",
             version, len(documents), len(sections), embedded, seconds)
    return BuildResult(version, True, len(documents), len(sections), embedded, seconds)


def _vectors(texts: list[str], root: Path, model: str, *, progress: bool) -> tuple[np.ndarray, int]:
    """Returns one vector per text, reusing cached vectors by content hash; and how many were embedded."""
    cache_path = root / f"embedding-cache-{hashlib.sha256(model.encode()).hexdigest()[:8]}.npz"
    cache: dict[str, np.ndarray] = {}
    if cache_path.exists():
        with np.load(cache_path) as stored:
            cache = dict(zip(stored["hashes"].tolist(), stored["vectors"]))
    by_hash = {text_hash(t): t for t in texts}
    hashes = [text_hash(t) for t in texts]
    missing = sorted(h for h in by_hash if h not in cache)
    if missing:
        fresh = embeddings.embed([by_hash[h] for h in missing], show_progress=progress)
        cache.update(zip(missing, fresh))
        keep = set(hashes) | set(list(cache)[-50_000:])  # bounded: current texts plus recent history
        kept = [h for h in cache if h in keep]
        tmp = cache_path.with_suffix(".tmp.npz")
        np.savez(tmp, hashes=np.array(kept), vectors=np.stack([cache[h] for h in kept]))
        os.replace(tmp, cache_path)
    return np.stack([cache[h] for h in hashes]).astype(np.float32), len(missing)


def text_hash(text: str) -> str:
    """Returns the cache key of an embedded text (a section's is its content_hash)."""
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def alias_owners(sections: list[Section]) -> np.ndarray:
    """Returns, for each vector after the sections' own, the section it belongs to (one per section alias)."""
    return np.array([i for i, s in enumerate(sections) for _ in s.section_aliases], dtype=np.int64)


def _write_version(folder: Path, version: str, documents: list[Document], sections: list[Section], vectors: np.ndarray,
                   model: str, doc_hashes: dict[str, str], glossary: vocabulary.Glossary) -> None:
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    faiss.write_index(index, str(folder / "vectors.faiss"))
    rows = [{"doc_path": s.doc_path, "doc_title": s.doc_title, "url": s.url, "heading": s.heading,
             "markdown": s.markdown, "line": s.line, "aliases": list(s.aliases),
             "section_aliases": list(s.section_aliases)} for s in sections]
    (folder / "sections.json").write_text(json.dumps(rows))
    (folder / "glossary.json").write_text(json.dumps(glossary.to_json()))
    manifest = {"version": version, "model": model, "dimension": int(vectors.shape[1]),
                "created_at": datetime.now(timezone.utc).isoformat(), "documents": doc_hashes,
                "sections": len(sections), "tags": {d.path: list(d.tags) for d in documents}}
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2))


def current_version(root: Path | None = None) -> str | None:
    """Returns the name of the served version, or None before the first build."""
    return index_versions.current_version(Path(root or default_root()))


@dataclass
class LoadedIndex:
    version: str
    manifest: dict
    sections: list[Section]
    vectors: faiss.Index  # one row per section, then one per section alias (see alias_owners)
    bm25: object  # bm25s.BM25 over the same sections
    glossary: vocabulary.Glossary = vocabulary.Glossary()  # expands the questions searched in this version


def load_version(root: Path, version: str) -> LoadedIndex:
    """Returns the index files of one version, read into memory (BM25 is rebuilt from the texts)."""
    from assistant.knowledge import lexical

    folder = root / version
    manifest = json.loads((folder / "manifest.json").read_text())
    sections = [Section(**{**row, "aliases": tuple(row.get("aliases") or ()),
                           "section_aliases": tuple(row.get("section_aliases") or ())})
                for row in json.loads((folder / "sections.json").read_text())]
    vectors = faiss.read_index(str(folder / "vectors.faiss"))
    glossary_file = folder / "glossary.json"
    glossary = vocabulary.Glossary.from_json(json.loads(glossary_file.read_text())) if glossary_file.exists() else vocabulary.Glossary()
    return LoadedIndex(version, manifest, sections, vectors, lexical.build(sections), glossary)


_served = index_versions.Served("knowledge", load_version)


def served(*, root: Path | None = None, knowledge_dir: Path | None = None) -> LoadedIndex:
    """Returns the index this process serves (the newest published version), building the first one if needed."""
    root = Path(root or default_root())

    def build_first() -> str:
        try:
            return build(knowledge_dir=knowledge_dir, root=root).version
        except KnowledgeCheckFailed as error:
            raise KnowledgeUnavailable(str(error)) from error

    return _served.get(root, build_first)
