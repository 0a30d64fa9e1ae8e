"""`assistant bench parsing`: the time every chat-text parser takes on a 1 MB message of each hostile shape.

The parsers read at most ``max_message_chars`` characters with bounded patterns, so these stay in
milliseconds; before that, a 40,000-character message took 6.5 s and 1 MB about an hour.
"""

from __future__ import annotations

import time

from rich.console import Console
from rich.table import Table

from assistant.candidates import parsing
from assistant.candidates import service as candidates_service

console = Console()
MEGABYTE = 1_000_000
SHAPES = {
    "letters": "a" * MEGABYTE,
    "trailing spaces": "yes" + " " * MEGABYTE + "x",
    "hyphenated ids": "a-1" * (MEGABYTE // 3),
    "digits and spaces": "1 " * (MEGABYTE // 2),
    "at signs": "a@" * (MEGABYTE // 2),
    "repeated commands": "add python " * (MEGABYTE // 11),
}
PARSERS = {
    "is_cancel": parsing.is_cancel,
    "parse_email": parsing.parse_email,
    "parse_phone": parsing.parse_phone,
    "parse_code": parsing.parse_code,
    "parse_preferences": parsing.parse_preferences,
    "parse_profile": parsing.parse_profile,
    "match_applications": lambda text: candidates_service.match_applications([], text),
}


def run() -> dict:
    """The registered benchmark: prints one table and returns the slowest parse of a 1 MB message (ms)."""
    parsing.bounded("")  # settings are read once, outside the timings
    worst: dict[str, float] = {}
    for parser_name, parse in PARSERS.items():
        for text in SHAPES.values():
            start = time.perf_counter()
            try:
                parse(text)
            except parsing.InvalidValue:
                pass
            worst[parser_name] = max(worst.get(parser_name, 0.0), (time.perf_counter() - start) * 1000)
    table = Table(title="Chat-text parsing of a 1 MB message (slowest of 6 hostile shapes)")
    table.add_column("parser")
    table.add_column("ms")
    for name, ms in worst.items():
        table.add_row(name, f"{ms:.2f}")
    console.print(table)
    return {"worst_ms_per_parser": {k: round(v, 3) for k, v in worst.items()}, "worst_ms": round(max(worst.values()), 3)}
