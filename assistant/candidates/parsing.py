"""Reads values out of free chat text (the NLU has no entities): e-mails, phone numbers, codes, yes/no,
contact preferences and profile changes. Each parser returns a clean value or raises ``InvalidValue`` with
a message that tells the candidate what was wrong.

No message can stall the action server: every parser reads at most ``settings.max_message_chars``
characters (the actions refuse longer messages before they get here), and the patterns that scan for
values have bounded repetitions, so the work per message is linear in its length with a small constant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from assistant.settings import get_settings


class InvalidValue(ValueError):
    """The text holds no usable value; str(error) is a candidate-facing explanation."""


# Bounded repetitions (RFC 5321: local part <= 64, domain <= 255; E.164 <= 15 digits; ids of a few parts),
# anchored where a token starts, so a search tries each position a bounded number of steps.
_NOT_EMAIL = "\\s@<>(),;:\"'"
EMAIL_RE = re.compile(rf"(?<![^{_NOT_EMAIL}])[^{_NOT_EMAIL}]{{1,64}}@[^{_NOT_EMAIL}]{{1,255}}(?![^{_NOT_EMAIL}])")
PHONE_RE = re.compile(r"(?<![\d+])(?:\+|00)?\d[\d\s().\-/]{5,30}\d")
REFERENCE_RE = re.compile(r"\b(?=[\w-]{0,40}[A-Za-z])(?=[\w-]{0,40}\d)[A-Za-z0-9]{1,20}(?:-[A-Za-z0-9]{1,20}){1,4}\b")  # APP-2001
CANCEL_WORDS = {"cancel", "stop", "never mind", "nevermind", "forget it", "quit", "exit", "abort", "no", "nope",
                "no thanks", "not now", "/deny"}
YES_WORDS = {"yes", "y", "yeah", "yep", "yup", "sure", "correct", "confirm", "i confirm", "yes please", "ok", "okay", "/affirm"}
NO_WORDS = {"no", "n", "nope", "nah", "no thanks", "don't", "do not", "/deny", "keep it", "cancel"}


def bounded(text: str | None) -> str:
    """Returns text cut to the longest message the assistant reads (settings.max_message_chars)."""
    return (text or "")[: get_settings().max_message_chars]


def _clean(text: str) -> str:
    return bounded(text).strip().lower().rstrip(".! \t\r\n\f\v")


def is_cancel(text: str) -> bool:
    """Returns True when the message asks to stop what is going on."""
    return _clean(text) in CANCEL_WORDS


def yes_or_no(text: str, intent: str | None = None) -> bool:
    """Returns True for yes and False for no; raises InvalidValue otherwise."""
    cleaned = _clean(text)
    if intent == "affirm" or cleaned in YES_WORDS:
        return True
    if intent == "deny" or cleaned in NO_WORDS:
        return False
    raise InvalidValue("Please answer yes or no.")


def find_email(text: str) -> str | None:
    """Returns the first e-mail-like token in text (not yet validated)."""
    match = EMAIL_RE.search(bounded(text))
    return match.group(0).rstrip(".") if match else None


def parse_email(text: str) -> str:
    """Returns the normalized (lower-case) e-mail address in text."""
    raw = find_email(text)
    if raw is None:
        raise InvalidValue("That doesn't look like an e-mail address. Please type it like name@example.com.")
    try:
        return validate_email(raw, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise InvalidValue(f"“{raw}” isn't a valid e-mail address. Please check it and type it again.") from None


def find_phone(text: str) -> str | None:
    """Returns the first phone-number-like run of digits in text (not yet validated)."""
    match = PHONE_RE.search(bounded(text))
    return match.group(0).strip() if match else None


def parse_phone(text: str, default_region: str | None = None) -> str:
    """Returns the phone number in text in E.164 form (+447700900123)."""
    raw = find_phone(text)
    if raw is None:
        raise InvalidValue("I couldn't find a phone number there. Please type it with the country code, like +44 7700 900123.")
    try:
        international = "+" + raw[2:] if raw.startswith("00") else raw
        number = phonenumbers.parse(international, None if international.startswith("+") else default_region)
    except phonenumbers.NumberParseException:
        raise InvalidValue("Please include the country code, like +44 7700 900123.") from None
    # A number of the right length is accepted even when the metadata does not list its range yet
    # (new ranges, or reserved fiction ranges such as +44 7700 900xxx used in examples).
    possible = phonenumbers.is_possible_number(number) and len(str(number.national_number)) >= 7
    if not (phonenumbers.is_valid_number(number) or possible):
        raise InvalidValue("That number doesn't look valid. Please check it and include the country code, like +1 512 555 0143.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def parse_code(text: str) -> str:
    """Returns the 6-digit code in text (spaces between digits allowed)."""
    digits = re.sub(r"\D", "", bounded(text))
    if len(digits) != 6:
        raise InvalidValue("The code has 6 digits, like 123456. Please type it again.")
    return digits


# ---- contact preferences -------------------------------------------------------------------------

CHANNEL_PATTERNS = {
    "sms": r"\b(sms|text me|texts?|text messages?)\b",
    "phone": r"\b(by phone|call me|phone calls?|calls?|telephone|contact method to phone|by mobile)\b",
    "email": r"\b(e-?mails?|emailing)\b",
}
NEGATED = r"\b(don'?t|do not|no|never|not)\s+(?:\w+\s+){0,2}"
HOURS_RE = re.compile(
    r"\b((?:only\s+)?(?:after|before|between|from)\s+\d{1,2}(?::\d{2})?\s*(?:am|pm)?(?:\s*(?:and|to|-)\s*\d{1,2}(?::\d{2})?\s*(?:am|pm)?)?"
    r"|in the (?:mornings?|afternoons?|evenings?)|(?:on )?weekdays(?: only)?|not on weekends|(?:don'?t|do not) contact me on weekends)\b",
    re.IGNORECASE,
)


@dataclass
class PreferenceChange:
    contact_channel: str | None = None
    contact_hours: str | None = None
    job_alerts: bool | None = None

    def fields(self) -> list[str]:
        return [name for name in ("contact_channel", "contact_hours", "job_alerts") if getattr(self, name) is not None]


def parse_preferences(text: str) -> PreferenceChange:
    """Returns the contact-channel, contact-hours and job-alert changes said in text."""
    text = bounded(text)
    lowered = text.lower()
    change = PreferenceChange()
    if re.search(r"\b(alerts?|notifications?|job emails?)\b", lowered):
        if re.search(r"\b(stop|unsubscribe|turn off|switch off|no more|pause|disable|don'?t want|cancel)\b", lowered):
            change.job_alerts = False
        elif re.search(r"\b(turn on|subscribe|sign me up|send me|start|enable|want|get)\b", lowered):
            change.job_alerts = True
    if "whatsapp" in lowered:
        raise InvalidValue("I can contact you by e-mail, phone or SMS. Which would you prefer?")
    positions = []
    for channel, pattern in CHANNEL_PATTERNS.items():
        for match in re.finditer(pattern, lowered):
            if not re.search(NEGATED + r"$", lowered[: match.start()]):
                positions.append((match.start(), channel))
    if change.job_alerts is None and positions:
        change.contact_channel = min(positions)[1]
    elif positions and re.search(r"\b(contact|reach|prefer|rather|instead|only)\b", lowered):
        change.contact_channel = min(positions)[1]
    hours = HOURS_RE.search(text)
    if hours:
        change.contact_hours = hours.group(0).strip()[:64]
    if not change.fields():
        raise InvalidValue(
            "I can change how we contact you (e-mail, phone or SMS), when (for example “after 5pm”), "
            "and turn job alerts on or off. What would you like?"
        )
    return change


# ---- profile -------------------------------------------------------------------------------------

LIST_SPLIT = re.compile(r"\s*(?:,|\band\b|&|/)\s*")
WORK_PREFERENCES = {"remote": r"\b(remote|from home)\b", "hybrid": r"\bhybrid\b", "onsite": r"\b(on[ -]?site|in the office|office-based)\b"}


@dataclass
class ProfileChange:
    add_skills: list[str] = field(default_factory=list)
    remove_skills: list[str] = field(default_factory=list)
    desired_roles: list[str] = field(default_factory=list)
    add_locations: list[str] = field(default_factory=list)
    remove_locations: list[str] = field(default_factory=list)
    work_preference: str | None = None
    years_experience: float | None = None

    def fields(self) -> list[str]:
        names = []
        if self.add_skills or self.remove_skills:
            names.append("skills")
        if self.desired_roles:
            names.append("desired_roles")
        if self.add_locations or self.remove_locations:
            names.append("preferred_locations")
        if self.work_preference:
            names.append("work_preference")
        if self.years_experience is not None:
            names.append("years_experience")
        return names


def _items(fragment: str) -> list[str]:
    items = []
    for part in LIST_SPLIT.split(fragment.strip(" .!?")):
        part = re.sub(r"^(?:a|an|the|my)\s+", "", part.strip(" .!?'\""), flags=re.IGNORECASE)
        if part and len(part) <= 60:
            items.append(part)
    return items


def _title(items: list[str]) -> list[str]:
    return [item if any(c.isupper() for c in item) else item.title() for item in items]


def parse_profile(text: str) -> ProfileChange:
    """Returns the profile changes said in text (skills, roles, locations, work preference, experience)."""
    raw = bounded(text).strip()
    lowered = raw.lower()
    change = ProfileChange()
    if match := re.search(r"\b(?:add|include)\s+(.+?)\s+to\s+my\s+(?:skills|profile|skill set)\b", raw, re.IGNORECASE):
        change.add_skills = _items(match.group(1))
    elif match := re.search(r"\bmy skills (?:are|include)\s+(.+)$", raw, re.IGNORECASE):
        change.add_skills = _items(match.group(1))
    if match := re.search(r"\bremove\s+(.+?)\s+from\s+my\s+(?:skills|profile)\b", raw, re.IGNORECASE):
        change.remove_skills = _items(match.group(1))
    if match := re.search(r"\b(?:looking for|interested in|desired role to|want to be an?|roles? as an?)\s+(.+?)\s+(?:roles?|jobs?|positions?)\b", raw, re.IGNORECASE):
        if not re.search(r"\b(remote|hybrid|on ?site)\b", match.group(1), re.IGNORECASE):
            change.desired_roles = _items(match.group(1))
    elif match := re.search(r"\bdesired role (?:to|is)\s+(.+)$", raw, re.IGNORECASE):
        change.desired_roles = _items(match.group(1))
    if match := re.search(r"\b(?:add)\s+(.+?)\s+to\s+my\s+(?:preferred )?locations?\b", raw, re.IGNORECASE):
        change.add_locations = _title(_items(match.group(1)))
    elif match := re.search(r"\b(?:open to(?: relocating to)?|relocat\w* to|location preference to|move to|work in)\s+([A-Z][\w .,&'-]*)", raw):
        if not re.search(r"\b(no longer|don'?t|not)\b", lowered[: match.start()]):
            change.add_locations = _title(_items(re.split(r"\s+(?:now|too|as well|please)\b", match.group(1))[0]))
    if match := re.search(r"\b(?:no longer want to work in|not (?:open to|interested in working in)|remove)\s+([A-Z][\w .'-]*?)(?:\s+from my locations?|$|[.!,])", raw):
        if not change.remove_skills:
            change.remove_locations = _title(_items(match.group(1)))
    for preference, pattern in WORK_PREFERENCES.items():
        if re.search(pattern, lowered):
            change.work_preference = preference
            break
    if match := re.search(r"\b(\d{1,2}(?:\.\d)?)\s*\+?\s*years?\b", lowered):
        change.years_experience = float(match.group(1))
    if not change.fields():
        raise InvalidValue(
            "I can update your skills, the roles you want, your preferred locations, remote/hybrid/on-site "
            "preference and years of experience. For example: “add Python to my skills”, “I'm open to Berlin”, "
            "“I prefer hybrid work” or “I have 5 years of experience”."
        )
    return change
