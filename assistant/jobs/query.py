"""Reading a job request ("remote python jobs", "jobs in Berlin for a nurse") against the catalogue.

There are no NLU entities: places, workplaces, levels and skills are matched here against what the
catalogue actually contains; what is left is the role text that gets embedded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

# Remote regions the catalogue uses, and the words that name them.
REGION_WORDS = {
    "EU": ("eu", "europe", "european union", "germany", "netherlands", "portugal"),
    "United Kingdom": ("uk", "united kingdom", "britain", "england"),
    "Canada": ("canada",),
}
CITY_REGION = {"Berlin": "EU", "Amsterdam": "EU", "Lisbon": "EU", "London": "United Kingdom", "Toronto": "Canada"}
LEVEL_WORDS = {
    "intern": ("intern", "interns", "internship", "internships", "working student"),
    "junior": ("junior", "entry level", "entry-level", "graduate", "jr"),
    "mid": ("mid level", "mid-level", "intermediate"),
    "senior": ("senior", "sr", "experienced"),
    "lead": ("lead", "staff", "principal"),
    "manager": ("manager", "management", "managerial"),
    "director": ("director", "head of", "executive"),
}
ROLE_LEVEL_WORDS = {"manager", "director", "lead"}  # also part of role names ("clinic manager"): kept in the text
FILLER = {
    "a", "an", "the", "any", "some", "job", "jobs", "role", "roles", "position", "positions", "opening",
    "openings", "vacancy", "vacancies", "work", "working", "for", "me", "my", "i", "im", "i'm", "am", "as",
    "in", "at", "near", "around", "based", "with", "show", "find", "looking", "look", "search", "searching",
    "want", "wanted", "would", "like", "to", "do", "you", "have", "are", "there", "please", "open",
    "opportunities", "opportunity", "something", "anything", "what", "which", "got", "is", "of", "or", "and",
    "hi", "hello", "hey", "can", "could", "get", "need", "available", "currently", "hiring", "you're",
    "office", "onsite", "on-site", "hybrid", "remote", "remotely", "from", "home", "fully", "only",
    # "something like the role I looked at"
    "similar", "like", "looked", "viewed", "saw", "seen", "one", "ones", "last", "this", "that", "these", "those",
    "more", "other", "others", "another", "liked", "applied", "saved", "close", "comparable", "same", "kind", "sort",
    "type", "new", "right", "now", "week", "else", "there", "here", "them", "it", "good", "great", "nice",
}


@dataclass
class JobRequest:
    """What a request asks for: role text to embed, and hard filters read from the words."""

    text: str = ""
    cities: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)  # remote regions
    workplaces: list[str] = field(default_factory=list)  # remote|hybrid|onsite
    levels: list[str] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)

    @property
    def has_filters(self) -> bool:
        return bool(self.cities or self.regions or self.workplaces or self.levels)

    def describe(self) -> str:
        """Returns a short, stable description for the recommendation log (no free text beyond the role)."""
        parts = [f"role={self.text}"] if self.text else []
        for name in ("cities", "regions", "workplaces", "levels", "skills"):
            values = getattr(self, name)
            if values:
                parts.append(f"{name}={','.join(values)}")
        return "; ".join(parts)[:500]


def _contains(haystack: str, phrase: str) -> bool:
    return re.search(rf"(?<![\w+#]){re.escape(phrase)}(?![\w+#])", haystack) is not None


def _remove(haystack: str, phrase: str) -> str:
    return re.sub(rf"(?<![\w+#]){re.escape(phrase)}(?![\w+#])", " ", haystack)


def parse_request(text: str, *, cities: Iterable[str], skills: Iterable[str]) -> JobRequest:
    """Returns the request read from text, knowing the catalogue's cities and skills."""
    lowered = " " + re.sub(r"\s+", " ", text.lower()) + " "
    lowered = lowered.replace("’", "'")
    request = JobRequest()
    rest = lowered
    for city in sorted(set(cities), key=len, reverse=True):
        if city.lower() in lowered and _contains(lowered, city.lower()):
            request.cities.append(city)
            rest = _remove(rest, city.lower())
    if re.search(r"(?<!\w)(remote(ly)?|work from home|from home|wfh|home office|anywhere)(?!\w)", lowered):
        request.workplaces.append("remote")
        for region, words in REGION_WORDS.items():
            if any(_contains(lowered, word) for word in words):
                request.regions.append(region)
    if _contains(lowered, "hybrid"):
        request.workplaces.append("hybrid")
    if re.search(r"(?<!\w)(on-?site|in the office|in office|in-person|in person)(?!\w)", lowered):
        request.workplaces.append("onsite")
    for region, words in REGION_WORDS.items():
        for word in words:
            rest = _remove(rest, word) if region in request.regions else rest
    if not request.workplaces and not request.cities:
        for region, words in REGION_WORDS.items():  # "jobs in the UK": offices in that region or remote there
            if any(_contains(lowered, word) for word in words):
                request.regions.append(region)
                request.cities.extend(city for city, r in CITY_REGION.items() if r == region and city in set(cities))
                for word in words:
                    rest = _remove(rest, word)
    for level, words in LEVEL_WORDS.items():
        for word in words:
            if _contains(lowered, word):
                if level not in request.levels:
                    request.levels.append(level)
                if word not in ROLE_LEVEL_WORDS:
                    rest = _remove(rest, word)
    if set(request.levels) & ROLE_LEVEL_WORDS and len(request.levels) == 1:
        request.levels = []  # "clinic manager", "lead nurse": a role name, not a level filter on its own
    for skill in sorted(set(skills), key=len, reverse=True):
        if len(skill) > 1 and skill.lower() in lowered and _contains(lowered, skill.lower()):  # `in` first: cheap
            request.skills.append(skill)
    words = [w for w in re.findall(r"[\w+#./-]+", rest) if w not in FILLER and not w.isdigit()]
    request.text = " ".join(words).strip(" .,-/")
    return request
