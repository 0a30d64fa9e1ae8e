"""Screening before an answer: junk is declined, other languages get a notice in their language, the rest goes ahead."""

from __future__ import annotations

import pytest

from assistant.language import evaluation, notices
from assistant.language.junk import junk_kind
from assistant.language.screening import screen

EMAIL = "jobs@example.com"


@pytest.mark.parametrize("text, kind", [
    ("SELECT * FROM candidates WHERE 1=1", "sql"), ("'; DROP TABLE applications; --", "sql"),
    ("admin' OR '1'='1", "sql"), ("<script>alert('x')</script>", "code"), ("def f():\n    return 1", "code"),
    ("const x = () => 1;", "code"), ("asdfghjkl", "mashing"), ("jfjfjfjfjf", "mashing"), ("!!!!!!", "symbols"),
])
def test_junk_is_recognised_with_its_kind(text, kind):
    assert junk_kind(text) == kind
    result = screen(text, recruiting_email=EMAIL)
    assert result.verdict == "junk" and result.reply == notices.JUNK and result.junk_kind == kind


@pytest.mark.parametrize("text", [
    "ok", "Berlin", "München", "maya.patel@example.com", "123456", "+49 30 1234567", "A-1042", "👍", "?", ":)",
    "Merci beaucoup", "Maya Patel", "HTTPS", "do you use C++ or C#?", "can I select several roles from the list?",
    "Hola! do you have jobs in Madrid?", "my code is 123456", "I live in München, do you have offices in Germany?",
    "how lon does it take to get an ofer", "tecnical intervew format", "best restaurants near Alexanderplatz?",
])
def test_short_texts_names_codes_and_english_go_ahead(text):
    assert screen(text, recruiting_email=EMAIL).verdict == "serve"


@pytest.mark.parametrize("text, language, start", [
    ("Wie viele Urlaubstage bekomme ich?", "de", "Entschuldigung, ich kann bisher nur auf Englisch antworten."),
    ("Est-ce que vous proposez le télétravail ?", "fr", "Désolé, je ne peux répondre qu'en anglais"),
    ("¿Cuántos días de vacaciones tengo al año?", "es", "Lo siento, por ahora solo puedo responder en inglés."),
    ("Hoeveel vakantiedagen krijg ik per jaar?", "nl", "Sorry, ik kan voorlopig alleen in het Engels antwoorden."),
    ("Quanti giorni di ferie ho all'anno?", "it", "Mi dispiace, per ora posso rispondere solo in inglese."),
    ("Quantos dias de férias tenho por ano?", "pt", "Desculpe, por enquanto só consigo responder em inglês."),
    ("Czy oferujecie pracę zdalną?", "pl", "Przepraszam, na razie mogę odpowiadać tylko po angielsku."),
])
def test_another_language_is_answered_in_that_language_with_the_way_to_a_recruiter(text, language, start):
    result = screen(text, recruiting_email=EMAIL)
    assert result.verdict == "other_language" and result.language == language
    assert result.reply.startswith(start) and EMAIL in result.reply


def test_every_notice_names_the_recruiting_email_and_a_language_without_one_gets_english():
    for language in notices.OTHER_LANGUAGE:
        assert notices.other_language(language, email=EMAIL).count(EMAIL) == 1
    assert notices.other_language("sv", email=EMAIL) == notices.other_language("en", email=EMAIL)


def test_an_oversized_message_is_screened_by_its_start():
    assert screen("Wie viele Urlaubstage bekomme ich? " * 10_000, recruiting_email=EMAIL).language == "de"
    assert screen("asdfgh " * 50_000, recruiting_email=EMAIL).verdict == "junk"


def test_no_english_evaluation_question_is_declined():
    texts = evaluation.english_texts()
    assert len(texts) > 400
    assert [t for t in texts if evaluation.outcome(t) != "serve"] == []


def test_the_development_set_is_screened_right():
    figures = evaluation.score(evaluation.read(evaluation.DATA / "screening.jsonl"))
    assert figures["wrong"] == []
