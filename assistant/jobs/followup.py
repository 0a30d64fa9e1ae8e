"""Questions about the job cards just shown: pay, place, remote, level, "the second one", "tell me more", apply.

Answered from the catalogue (never from the knowledge base), about the jobs of the last page shown. The
text is at most the chat's message limit long, and every pattern here is linear in it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.jobs.models import Job
from assistant.jobs.recommend import location_label, salary_label

ASPECT_WORDS = {
    "pay": ("pay", "paid", "salary", "salaries", "wage", "wages", "money", "earn", "compensation", "rate", "€", "$", "£"),
    "place": ("where", "location", "located", "city", "office", "place", "based"),
    "remote": ("remote", "home", "hybrid", "on-site", "onsite", "on site", "office days", "wfh"),
    "level": ("level", "senior", "junior", "seniority", "experience", "entry", "grade", "full-time", "part-time",
              "full time", "part time", "hours", "contract"),
    "apply": ("apply", "application link", "sign up", "submit", "interested in", "i want it", "i'll take"),
    "details": ("more about", "tell me more", "details", "describe", "what is it", "what's it", "what does",
                "skills", "requirements", "info", "information", "about it", "about that", "about this"),
}
ORDINALS = {"first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "fourth": 3, "4th": 3, "fifth": 4,
            "5th": 4, "last": -1, "top": 0}
NUMBERED = re.compile(r"\b(?:number|no\.?|#|job|role|card|option)\s?([1-5])\b")
WORD = re.compile(r"[a-z0-9€$£'-]+")
LEVELS = {"intern": "internship", "junior": "junior", "mid": "mid-level", "senior": "senior", "lead": "lead",
          "manager": "manager", "director": "director"}
WORKPLACES = {"remote": "fully remote", "hybrid": "hybrid", "onsite": "on site"}


@dataclass
class Followup:
    aspects: list[str] = field(default_factory=list)  # in ASPECT_WORDS order; empty = details
    index: int | None = None  # which card (0-based, -1 = last), when the question names one


def parse(text: str, titles: list[str]) -> Followup:
    """Returns what a question about the shown jobs asks and which card it points at, if any."""
    lowered = text.lower()
    words = set(WORD.findall(lowered))
    aspects = [aspect for aspect, cues in ASPECT_WORDS.items()
               if any((cue in words) if " " not in cue and cue.isalpha() else (cue in lowered) for cue in cues)]
    index = next((position for word, position in ORDINALS.items() if word in words), None)
    numbered = NUMBERED.search(lowered)
    if index is None and numbered:
        index = int(numbered.group(1)) - 1
    if index is None:  # a word of exactly one title ("the nurse one")
        hits = [i for i, title in enumerate(titles)
                if {w for w in WORD.findall(title.lower()) if len(w) > 3} & words]
        index = hits[0] if len(hits) == 1 else None
    return Followup(aspects=aspects, index=index)


def answer(jobs: list[Job], question: Followup) -> str:
    """Returns the answer about the shown jobs (one line per job, or the one job asked about)."""
    if question.index is not None and -len(jobs) <= question.index < len(jobs):
        return _about_one(jobs[question.index], question.aspects)
    if question.index is not None:
        return f"I only showed {len(jobs)} role{'s' if len(jobs) != 1 else ''} just now. " + _lines(jobs, question.aspects)
    if len(jobs) == 1:
        return _about_one(jobs[0], question.aspects)
    return _lines(jobs, question.aspects)


def _lines(jobs: list[Job], aspects: list[str]) -> str:
    aspects = [a for a in aspects if a != "details"] or ["place", "pay"]
    intro = "For the roles I just showed you:" if aspects != ["apply"] else "You can apply on each role's page:"
    return "\n".join([intro, *(f"- **{job.title}**: {_facts(job, aspects)}" for job in jobs)])


def _about_one(job: Job, aspects: list[str]) -> str:
    if not aspects or "details" in aspects:
        return _details(job)
    return f"**{job.title}**: {_facts(job, aspects)}"


def _facts(job: Job, aspects: list[str]) -> str:
    parts = []
    for aspect in aspects:
        if aspect == "pay":
            salary = salary_label(job)
            parts.append(f"{salary}." if salary else "the posting doesn't give the pay; a recruiter can tell you.")
        elif aspect == "place":
            parts.append(f"{location_label(job)} ({WORKPLACES.get(job.workplace, job.workplace)}).")
        elif aspect == "remote":
            where = job.city or job.country or "the office"
            parts.append({"remote": "fully remote.", "hybrid": f"hybrid, with some days in {where}."}
                         .get(job.workplace, f"on site in {where}."))
        elif aspect == "level":
            parts.append(f"{LEVELS.get(job.level, job.level)} level, {job.employment_type}.")
        elif aspect == "apply":
            parts.append(f"apply on [its page]({job.url})." if job.url else "ask a recruiter how to apply.")
    sentence = " ".join(parts)
    return sentence[:1].upper() + sentence[1:] if sentence else sentence


def _details(job: Job) -> str:
    lines = [f"**{job.title}** ({location_label(job)}, {WORKPLACES.get(job.workplace, job.workplace)})"]
    if job.summary:
        lines.append(job.summary.strip())
    facts = [f"{LEVELS.get(job.level, job.level)} level, {job.employment_type}"]
    if salary_label(job):
        facts.append(salary_label(job))
    lines.append("; ".join(facts) + ".")
    if job.skills:
        lines.append("Skills: " + ", ".join(job.skills[:8]) + ".")
    if job.url:
        lines.append(f"Read more or apply on [its page]({job.url}).")
    return "\n".join(lines)
