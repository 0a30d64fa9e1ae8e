"""Values read from chat text: clean values, or a message that says what was wrong."""

from __future__ import annotations

import pytest

from assistant.candidates import parsing


@pytest.mark.parametrize("text, expected", [
    ("my new number is +44 7700 900123", "+447700900123"),
    ("change my contact number to +1 512 555 0143", "+15125550143"),
    ("my new mobile is +49 151 23456789", "+4915123456789"),
    ("0049 151 23456789", "+4915123456789"),
])
def test_phone_numbers_become_e164(text, expected):
    assert parsing.parse_phone(text) == expected


def test_national_numbers_need_a_region():
    assert parsing.parse_phone("07700 900456", "GB") == "+447700900456"
    with pytest.raises(parsing.InvalidValue, match="country code"):
        parsing.parse_phone("07700 900456")


@pytest.mark.parametrize("text", ["my number changed", "+1 555 01", "call 12"])
def test_bad_phone_numbers_are_explained(text):
    with pytest.raises(parsing.InvalidValue):
        parsing.parse_phone(text)


def test_emails():
    assert parsing.parse_email("update my email to Anna.K@Example.com.") == "anna.k@example.com"
    for bad in ("anna at example", "anna@", "anna@example"):
        with pytest.raises(parsing.InvalidValue):
            parsing.parse_email(bad)


def test_codes_and_answers():
    assert parsing.parse_code("the code is 482 913") == "482913"
    with pytest.raises(parsing.InvalidValue, match="6 digits"):
        parsing.parse_code("48291")
    assert parsing.yes_or_no("/affirm") is True and parsing.yes_or_no("Nope.") is False
    assert parsing.yes_or_no("whatever", intent="deny") is False
    with pytest.raises(parsing.InvalidValue):
        parsing.yes_or_no("maybe")
    assert parsing.is_cancel("Never mind!") and not parsing.is_cancel("cancel my application for the nurse role")


@pytest.mark.parametrize("text, expected", [
    ("stop sending me job alerts", {"job_alerts": False}),
    ("subscribe me to new job notifications", {"job_alerts": True}),
    ("please don't call me, email only", {"contact_channel": "email"}),
    ("I'd rather get SMS than calls", {"contact_channel": "sms"}),
    ("please call me between 9 and 12", {"contact_channel": "phone", "contact_hours": "between 9 and 12"}),
])
def test_preferences(text, expected):
    change = parsing.parse_preferences(text)
    assert {name: getattr(change, name) for name in change.fields()} == expected


def test_unsupported_preferences_are_explained():
    with pytest.raises(parsing.InvalidValue, match="e-mail, phone or SMS"):
        parsing.parse_preferences("contact me via whatsapp")
    with pytest.raises(parsing.InvalidValue, match="job alerts"):
        parsing.parse_preferences("hmm")


@pytest.mark.parametrize("text, field, value", [
    ("add python and SQL to my profile", "add_skills", ["python", "SQL"]),
    ("remove java from my skills", "remove_skills", ["java"]),
    ("I'm open to Lisbon and Berlin", "add_locations", ["Lisbon", "Berlin"]),
    ("I no longer want to work in London", "remove_locations", ["London"]),
    ("I'm now looking for product manager roles", "desired_roles", ["product manager"]),
    ("I want fully remote jobs only", "work_preference", "remote"),
    ("I now have 5 years of experience", "years_experience", 5.0),
])
def test_profile_changes(text, field, value):
    assert getattr(parsing.parse_profile(text), field) == value


def test_an_unclear_profile_change_is_explained():
    with pytest.raises(parsing.InvalidValue, match="add Python to my skills"):
        parsing.parse_profile("update my profile")
