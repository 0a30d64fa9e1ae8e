"""The knowledge base's vocabulary: a folder-wide glossary of abbreviations and company words.

``_glossary.yml`` beside the articles maps each term candidates use to what it means in the articles::

    PTO: [paid time off, vacation days, annual leave]
    H-1B: [US work visa, visa sponsorship]

A question that contains a term is searched with the term's meanings added (embeddings and BM25 alike),
so "how much PTO do I get?" reaches the vacation section. Terms match whole words, ignoring case and the
punctuation inside them ("H-1B" also matches "h1b" and "H 1B"; "401k" matches "401(k)"; "ERG" matches
"ERGs"). The glossary is
checked with the articles and published with every index version, so an edit needs no retrain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from assistant.knowledge.problems import Problem

GLOSSARY_FILE = "_glossary.yml"
_CHUNK = re.compile(r"[^\W\d_]+|\d+")  # runs of letters or of digits


@dataclass(frozen=True)
class Term:
    term: str
    meanings: tuple[str, ...]
    line: int = 0


@dataclass(frozen=True)
class Glossary:
    terms: tuple[Term, ...] = ()

    def expand(self, query: str) -> str:
        """Returns the query with the meanings of every glossary term in it added in brackets after the term."""
        if not self.terms:
            return query
        found: list[tuple[int, int, Term]] = []
        for term in self.terms:
            for match in _pattern(term.term).finditer(query):
                if not any(start < match.end() and match.start() < end for start, end, _ in found):
                    found.append((match.start(), match.end(), term))
        for start, end, term in sorted(found, key=lambda f: -f[0]):
            meanings = [m for m in term.meanings if m.casefold() not in query.casefold()]
            if meanings:
                query = f"{query[:end]} ({', '.join(meanings)}){query[end:]}"
        return query

    def to_json(self) -> list[dict]:
        return [{"term": t.term, "meanings": list(t.meanings)} for t in self.terms]

    @classmethod
    def from_json(cls, rows: list[dict]) -> "Glossary":
        return cls(tuple(Term(row["term"], tuple(row["meanings"])) for row in rows))


def spelling_key(term: str) -> tuple[str, ...]:
    """Returns what identifies a term regardless of case and inner punctuation ("H-1B" and "h1b" are one)."""
    return tuple(chunk.casefold() for chunk in _CHUNK.findall(term))


@lru_cache(maxsize=4096)
def _pattern(term: str) -> re.Pattern:
    chunks = [re.escape(chunk) for chunk in spelling_key(term)]
    plural = "(?:'?s)?" if chunks and chunks[-1].isalpha() else ""
    return re.compile(r"(?<![\w])" + r"[\W_]{0,2}".join(chunks) + plural + r"(?![^\W_])(?:\)(?!\w))?", re.IGNORECASE)


def load_glossary(knowledge_dir: Path) -> tuple[Glossary, list[Problem]]:
    """Returns the folder's glossary (empty when it has no glossary file) and the problems found in it."""
    path = knowledge_dir / GLOSSARY_FILE
    if not path.is_file():
        return Glossary(), []
    return parse_glossary(path.read_bytes(), GLOSSARY_FILE)


def parse_glossary(raw: bytes, rel: str = GLOSSARY_FILE) -> tuple[Glossary, list[Problem]]:
    """Returns the glossary in raw YAML and its problems (empty or duplicate terms, terms spelled alike, bad meanings)."""
    try:
        root = yaml.compose(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        return Glossary(), [Problem(rel, 1, f"not UTF-8 text ({error.reason} at byte {error.start})")]
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        reason = getattr(error, "problem", None) or str(error).splitlines()[0]
        return Glossary(), [Problem(rel, mark.line + 1 if mark else 1, f"invalid YAML: {reason}")]
    if root is None:
        return Glossary(), []
    if not isinstance(root, yaml.MappingNode):
        return Glossary(), [Problem(rel, root.start_mark.line + 1, "the glossary must map each term to its meanings "
                                                                   "(PTO: [paid time off, vacation])")]
    terms: list[Term] = []
    problems: list[Problem] = []
    seen: dict[tuple[str, ...], Term] = {}
    for key_node, value_node in root.value:
        line = key_node.start_mark.line + 1
        term = key_node.value.strip() if isinstance(key_node, yaml.ScalarNode) else ""
        key = spelling_key(term)
        if not key:
            problems.append(Problem(rel, line, "empty term: write the abbreviation or word before the ':'"))
            continue
        meanings, problem = _meanings(value_node, term)
        if problem:
            problems.append(Problem(rel, value_node.start_mark.line + 1, problem))
            continue
        if key in seen:
            other = seen[key]
            how = "is listed twice" if other.term.casefold() == term.casefold() else f"is spelled like '{other.term}'"
            problems.append(Problem(rel, line, f"term '{term}' {how} (line {other.line}): keep one entry with all meanings"))
            continue
        entry = Term(term, meanings, line)
        seen[key] = entry
        terms.append(entry)
    problems += _collisions(terms, rel)
    return Glossary(tuple(terms)), problems


def _meanings(node: yaml.Node, term: str) -> tuple[tuple[str, ...], str | None]:
    """Returns the meanings written for a term, or a problem when they are not one or more non-empty texts."""
    values = [node] if isinstance(node, yaml.ScalarNode) else node.value if isinstance(node, yaml.SequenceNode) else None
    if values is None or not all(isinstance(v, yaml.ScalarNode) for v in values):
        return (), f"the meanings of '{term}' must be a text or a list of texts"
    meanings = tuple(v.value.strip() for v in values)
    if not meanings or any(not m for m in meanings):
        return (), f"term '{term}' has an empty meaning: give what it stands for"
    if any(spelling_key(m) == spelling_key(term) for m in meanings):
        return (), f"term '{term}' lists itself as a meaning"
    return meanings, None


def _collisions(terms: list[Term], rel: str) -> list[Problem]:
    """Returns a problem for every term found inside another term (both would expand the same words)."""
    problems = []
    for inner in terms:
        pattern = _pattern(inner.term)
        for outer in terms:
            if outer is not inner and pattern.search(outer.term):
                problems.append(Problem(rel, outer.line, f"term '{outer.term}' contains the term '{inner.term}' "
                                                         f"(line {inner.line}): merge them or drop one"))
    return problems
