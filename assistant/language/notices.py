"""What the assistant says when it cannot serve a message: junk, or a language other than English."""

from __future__ import annotations

JUNK = ("I couldn't read that as a question, sorry. Please ask in a few words, for example "
        "\"How long does the hiring process take?\"")

# Which language we serve and the way to a recruiter, in the candidate's language; {email} is the recruiting e-mail.
OTHER_LANGUAGE = {
    "en": "Sorry, I can only answer in English for now. Please ask your question in English, "
          "or write to our recruiting team at {email}.",
    "de": "Entschuldigung, ich kann bisher nur auf Englisch antworten. Bitte stellen Sie Ihre Frage auf Englisch "
          "oder schreiben Sie unserem Recruiting-Team an {email}.",
    "fr": "Désolé, je ne peux répondre qu'en anglais pour le moment. Posez votre question en anglais "
          "ou écrivez à notre équipe de recrutement à {email}.",
    "es": "Lo siento, por ahora solo puedo responder en inglés. Escribe tu pregunta en inglés "
          "o contacta con nuestro equipo de selección en {email}.",
    "nl": "Sorry, ik kan voorlopig alleen in het Engels antwoorden. Stel je vraag in het Engels "
          "of mail ons recruitmentteam via {email}.",
    "it": "Mi dispiace, per ora posso rispondere solo in inglese. Scrivi la tua domanda in inglese "
          "oppure contatta il nostro team di selezione all'indirizzo {email}.",
    "pt": "Desculpe, por enquanto só consigo responder em inglês. Escreva a sua pergunta em inglês "
          "ou contacte a nossa equipa de recrutamento em {email}.",
    "pl": "Przepraszam, na razie mogę odpowiadać tylko po angielsku. Zadaj pytanie po angielsku "
          "lub napisz do naszego zespołu rekrutacyjnego: {email}.",
}


def other_language(language: str, *, email: str) -> str:
    """Returns the notice in language (English when we have no translation), with the recruiting e-mail."""
    return OTHER_LANGUAGE.get(language, OTHER_LANGUAGE["en"]).format(email=email)
