"""No single message can stall the action server: the parsers of chat text never hand a regex more than
``max_message_chars`` characters, and their patterns are bounded. The property is asserted by recording
what the regex engine is given (no timing); the speed figure is in ``make bench`` (security)."""

from __future__ import annotations

import re
import types

import pytest

from assistant.candidates import parsing
from assistant.candidates import service as candidates_service
from assistant.settings import get_settings

MEGABYTE = 1_000_000
HUGE_INPUTS = {
    "letters": "a" * MEGABYTE,
    "spaces then a dot": "yes" + " " * MEGABYTE + "x",
    "hyphenated ids": "a-1" * (MEGABYTE // 3),
    "digits and spaces": "1 " * (MEGABYTE // 2),
    "at signs": "a@" * (MEGABYTE // 2),
    "repeated commands": "add python " * (MEGABYTE // 11),
}


class _Recorder:
    """Wraps a compiled pattern or the re module and records the longest string it was asked to scan."""

    def __init__(self, target, seen: list[int]):
        self._target, self._seen = target, seen

    def __getattr__(self, name):
        attribute = getattr(self._target, name)
        if name not in {"search", "match", "fullmatch", "findall", "finditer", "sub", "split"}:
            return attribute

        def call(*args, **kwargs):
            strings = [a for a in args if isinstance(a, str)]
            # re.sub(pattern, repl, string) and pattern.sub(repl, string): the scanned string is the last one.
            self._seen.append(len(strings[-1]) if strings else 0)
            return attribute(*args, **kwargs)

        return call


@pytest.fixture
def scanned(monkeypatch) -> list[int]:
    seen: list[int] = []
    recording_re = types.SimpleNamespace(**{name: getattr(re, name) for name in dir(re) if not name.startswith("_")})
    for name in ("search", "match", "fullmatch", "findall", "finditer", "sub", "split"):
        setattr(recording_re, name, getattr(_Recorder(re, seen), name))
    monkeypatch.setattr(parsing, "re", recording_re)
    for name in ("EMAIL_RE", "PHONE_RE", "REFERENCE_RE", "HOURS_RE", "LIST_SPLIT"):
        monkeypatch.setattr(parsing, name, _Recorder(getattr(parsing, name), seen))
    monkeypatch.setattr(candidates_service, "REFERENCE_RE", parsing.REFERENCE_RE)
    return seen


PARSERS = {
    "is_cancel": parsing.is_cancel,
    "yes_or_no": lambda t: parsing.yes_or_no(t),
    "find_email": parsing.find_email,
    "parse_email": parsing.parse_email,
    "find_phone": parsing.find_phone,
    "parse_phone": lambda t: parsing.parse_phone(t, "GB"),
    "parse_code": parsing.parse_code,
    "parse_preferences": parsing.parse_preferences,
    "parse_profile": parsing.parse_profile,
    "match_applications": lambda t: candidates_service.match_applications([], t),
}


@pytest.mark.parametrize("parser", PARSERS)
@pytest.mark.parametrize("shape", HUGE_INPUTS)
def test_no_regex_scans_more_than_a_message(parser, shape, scanned):
    try:
        PARSERS[parser](HUGE_INPUTS[shape])
    except parsing.InvalidValue:
        pass  # a clear "that is not a …" is the right answer to junk
    assert max(scanned, default=0) <= get_settings().max_message_chars


def test_a_value_beyond_the_limit_is_not_read():
    limit = get_settings().max_message_chars
    assert parsing.find_email("x" * limit + " anna@example.com") is None
    assert parsing.find_email("write to anna@example.com" + " " * limit) == "anna@example.com"


@pytest.mark.parametrize("text, expected", [
    ("mail me at <anna@example.com>", "anna@example.com"),
    ("anna@example.com.", "anna@example.com"),
    ("a" * 65 + "@example.com", None),  # longer than a local part can be: not an address at all
    ("first a@b@c", "a@b"),
])
def test_bounded_email_pattern_keeps_its_meaning(text, expected):
    assert parsing.find_email(text) == expected


def test_bounded_patterns_still_find_ids_and_numbers():
    assert {r.upper() for r in parsing.REFERENCE_RE.findall("withdraw APP-2001 and jr-act2 please")} == {"APP-2001", "JR-ACT2"}
    assert parsing.parse_phone("call +44 7700 900123 after 5") == "+447700900123"
    assert parsing.yes_or_no("Yes. ! ") is True
