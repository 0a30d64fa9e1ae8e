"""Recognising messages that are not a question a person typed: code, SQL, markup, keyboard mashing, symbols."""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

JunkKind = Literal["sql", "code", "mashing", "symbols"]

_STRONG_SQL = re.compile(
    r"\b(drop\s+(table|database)|insert\s+into\s+\w+|delete\s+from\s+\w+|union\s+(all\s+)?select|alter\s+table"
    r"|truncate\s+table|create\s+table|update\s+\w+\s+set\s+\w+\s*=|xp_cmdshell|exec\s*\()", re.I)
_SELECT = re.compile(r"\bselect\s+(\*|\w+(\s*,\s*\w+)*)\s+from\s+\w+", re.I)
_SQL_EXTRA = re.compile(r"\bwhere\b|;|=|\*|--|\blike\b|\blimit\b|\border\s+by\b", re.I)
_INJECTION = re.compile(r"['\"]\s*(or|and)\s+['\"]?\w*['\"]?\s*=\s*['\"]?\w*|;\s*--|['\"]\s*--|/\*.*?\*/|\b1\s*=\s*1\b", re.I)
_MARKUP = re.compile(r"<\s*/?\s*(script|iframe|img|svg|div|span|a|html|body|style|object|embed|form|input|p)\b[^>]*>"
                     r"|javascript:|\bon(error|load|click|mouseover)\s*=|<\?php|\{\{.*?\}\}|\$\{.*?\}", re.I | re.S)
_CODE = re.compile(
    r"^\s*(def\s+\w+\s*\(|class\s+\w+\s*[:(]|import\s+[\w.]+\s*(;|,|$| as )|from\s+[\w.]+\s+import\s"
    r"|function\s*\w*\s*\(|(var|let|const)\s+\w+\s*=|(public|private)\s+(static\s+)?\w+\s+\w+\s*\("
    r"|package\s+[\w.]+;|using\s+[\w.]+;|#include\s*<|#!/)"
    r"|=>|\bconsole\.\w+|\bprint(f)?\s*\(['\"]|\)\s*\{|\}\s*;|\w+\s*\([^()]*\)\s*;|\$\(|\$_[A-Z]+"
    r"|\b(sudo|rm\s+-rf|chmod|wget)\s|\bcurl\s+\S+\s*\||\bos\.\w+\(|\b[a-z_]\w*\+\+\s*[;)]|\w\s*\+=\s*\w"
    r"|\b(int|void)\s+\w+\s*[(=;]|^\s*[{\[].*[\"']\s*:.*[}\]]\s*$", re.M | re.S)
_CODE_CHARS = set("{}[]()<>;=$\\|&*^~%#@/`")
_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm", "qwertzuiop", "yxcvbnm", "azertyuiop", "qsdfghjklm", "wxcvbn")
_VOWELS = set("aeiouyàáâãäåæèéêëìíîïòóôõöøùúûüýÿąęóœ")
_LETTER_TOKEN = re.compile(r"[^\W\d_]+")


def junk_kind(text: str) -> JunkKind | None:
    """Returns why text is not a question a person typed (sql, code, mashing, symbols), or None when it may be one."""
    stripped = text.strip()
    if not stripped:
        return None
    if _STRONG_SQL.search(stripped) or _INJECTION.search(stripped) or (
            _SELECT.search(stripped) and _SQL_EXTRA.search(stripped)):
        return "sql"
    if _MARKUP.search(stripped) or _CODE.search(stripped) or _code_density(stripped) > 0.25:
        return "code"
    letters = [c for c in stripped if c.isalpha()]
    if not letters:
        return "symbols" if _only_symbols(stripped) else None
    tokens = _LETTER_TOKEN.findall(stripped)
    mashed = [t for t in tokens if _is_mashing(t)]
    if mashed and len(mashed) * 2 >= len(tokens):
        return "mashing"
    return None


def _code_density(text: str) -> float:
    """Returns the share of code punctuation among the visible characters (0 for short texts)."""
    visible = [c for c in text if not c.isspace()]
    if len(visible) < 8:
        return 0.0
    return sum(c in _CODE_CHARS for c in visible) / len(visible)


def _only_symbols(text: str) -> bool:
    """Returns True for text of punctuation and symbols only; digits (codes, phones, dates) and emoji are not junk."""
    visible = [c for c in text if not c.isspace()]
    if any(c.isdigit() for c in visible):
        return False
    if all(unicodedata.category(c) in ("So", "Sk", "Mn", "Cf") for c in visible):
        return False  # emoji, e.g. a thumbs up
    return len(visible) >= 3  # "?" or ":)" may be a person's; "!!!!!!" or "#$%^&" are not a question


def _is_mashing(token: str) -> bool:
    """Returns True for a letter run no language writes: no vowels, a keyboard row, one sound repeated, or endless."""
    if len(token) >= 30:
        return True
    if len(token) < 5:
        return False
    acronym = token.isupper()  # HTTPS, NHS: capitals without vowels are abbreviations
    token = token.casefold()
    if not acronym and not any(c in _VOWELS for c in token):
        return True
    if any(token[i:i + 5] in row or token[i:i + 5] in row[::-1] for row in _ROWS for i in range(len(token) - 4)):
        return True
    if re.search(r"(.)\1{3,}", token):
        return True
    return re.fullmatch(r"(.{1,3})\1{2,}.{0,3}", token) is not None and len(set(token)) <= 4
