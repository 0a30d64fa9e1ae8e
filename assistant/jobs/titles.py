"""Job-title normalisation: the words a person types, in the words postings use (vocabulary.yml).

Folds case, accents and gender markers ("Pflegefachkraft (m/w/d)"), undoes plurals and German/Dutch
feminine forms, corrects typos against the words the catalogue and vocabulary know (rapidfuzz), then
replaces abbreviations and foreign titles and adds English synonyms, longest phrase first.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

VOCABULARY = Path(__file__).with_name("vocabulary.yml")
MIN_TYPO_LENGTH = 5  # shorter words are too often other real words one letter away ("cafe" / "care")
_TOKEN = re.compile(r"[a-z0-9+#&]+(?:[-'][a-z0-9+#&]+)*")


@dataclass(eq=False)
class Vocabulary:
    replace: dict[str, str]  # phrase -> words used instead (abbreviations, translations)
    add: dict[str, str]  # phrase -> words added (synonyms)
    gender_markers: tuple[str, ...]
    feminine_endings: tuple[str, ...]
    irregular_plurals: dict[str, str]

    def __post_init__(self) -> None:
        phrases = {**self.add, **self.replace}
        self.longest = max((len(p.split()) for p in phrases), default=1)
        self.words = frozenset(w for text in [*phrases, *phrases.values()] for w in _TOKEN.findall(text))


def fold(text: str) -> str:
    """Returns text lower-cased, without accents and typographic quotes."""
    text = unicodedata.normalize("NFKD", text.lower().replace("’", "'").replace("ß", "ss"))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


@lru_cache(maxsize=4)
def vocabulary(path: Path = VOCABULARY) -> Vocabulary:
    """Returns the vocabulary file read once, keys folded."""
    data = yaml.safe_load(path.read_text())

    def section(*names: str) -> dict[str, str]:
        return {" ".join(_TOKEN.findall(fold(k))): fold(str(v)) for n in names for k, v in (data.get(n) or {}).items()}

    return Vocabulary(section("abbreviations", "translations"), section("synonyms"),
                      tuple(fold(m) for m in data.get("gender_markers") or []),
                      tuple(sorted((fold(e) for e in data.get("feminine_endings") or []), key=len, reverse=True)),
                      {fold(k): fold(v) for k, v in (data.get("irregular_plurals") or {}).items()})


def words(text: str, vocab: Vocabulary | None = None) -> list[str]:
    """Returns the folded words of a text without gender markers (no other change)."""
    vocab = vocab or vocabulary()
    folded = fold(text)
    for marker in vocab.gender_markers:
        folded = folded.replace(marker, " ")
    return _TOKEN.findall(folded)


def singular(word: str, vocab: Vocabulary | None = None) -> str:
    """Returns the English singular of a word ("nurses" -> "nurse", "cashiers" -> "cashier")."""
    vocab = vocab or vocabulary()
    if word in vocab.irregular_plurals:
        return vocab.irregular_plurals[word]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "shes", "ches", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def title_terms(text: str) -> list[str]:
    """Returns the matching terms of a posting title (folded, singular): what BM25 indexes."""
    vocab = vocabulary()
    return [singular(w, vocab) for w in words(text, vocab)]


@dataclass(frozen=True)
class Normalised:
    text: str  # what is embedded and matched
    terms: list[str]  # the text's matching terms
    corrected: dict[str, str]  # typo -> word


def normalise(text: str, *, known: frozenset[str] | set[str] = frozenset()) -> Normalised:
    """Returns a request in the words postings use; known holds the catalogue's title terms (typo targets)."""
    vocab = vocabulary()
    targets = known | vocab.words
    out: list[str] = []
    corrected: dict[str, str] = {}
    for word in words(text, vocab):
        fixed = _known_form(word, targets, vocab)
        if fixed is None and len(word) >= MIN_TYPO_LENGTH and not word.isdigit():
            fixed = _typo(word, known) or _typo(word, vocab.words)  # the catalogue's words first
            if fixed:
                corrected[word] = fixed
        out.append(fixed or word)
    expanded = " ".join(dict.fromkeys(_expand(out, vocab).split()))  # "care assistant care aide": once each
    terms = [singular(w, vocab) for w in _TOKEN.findall(expanded)]
    return Normalised(expanded, terms, corrected)


def _known_form(word: str, targets: frozenset[str] | set[str], vocab: Vocabulary) -> str | None:
    """Returns the word as the vocabulary or catalogue knows it (itself, singular, or masculine form), else None."""
    if word in targets:
        return word
    one = singular(word, vocab)
    if one in targets:
        return one
    for ending in vocab.feminine_endings:
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            stem = word[: -len(ending)]
            for candidate in (stem, stem + "er", stem + "e"):
                if candidate in targets:
                    return candidate
    return None


def _typo(word: str, targets: frozenset[str] | set[str]) -> str | None:
    """Returns the known word one edit away (two for long words), or None."""
    limit = 1 if len(word) <= 7 else 2
    match = process.extractOne(word, targets, scorer=DamerauLevenshtein.distance, score_cutoff=limit)
    return match[0] if match else None


def _expand(tokens: list[str], vocab: Vocabulary) -> str:
    """Returns the words with vocabulary phrases replaced or extended, longest match first."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for size in range(min(vocab.longest, len(tokens) - i), 0, -1):
            phrase = " ".join(tokens[i:i + size])
            if phrase in vocab.replace:
                out.append(vocab.replace[phrase])
                break
            if phrase in vocab.add:
                out.extend([phrase, vocab.add[phrase]])
                break
        else:
            size = 1
            out.append(tokens[i])
        i += size
    return " ".join(out)
