"""Which language a message is in: lingua-language-detector (offline, high-accuracy mode) over the languages we expect.

Short texts are never judged: names ("Berlin"), yes/no, codes and e-mail addresses read as nearly any
language. A message counts as another language only with at least three words, fewer than two English
function words, and at least one common word of that language, when the detector is confident (or two of
those words and no English one). Loading the models takes seconds and ~280 MB once per process
(``warm_up`` does it ahead of the first message; figures from ``assistant bench language``).
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

LANGUAGES = ("en", "de", "fr", "es", "nl", "it", "pt", "pl")  # English plus the notices we can send
MIN_WORDS = 3
MIN_CONFIDENCE = 0.6  # lingua's relative confidence for the other language
MAX_ENGLISH = 0.2  # ... while English stays below this
_ENGLISH_WORDS = frozenset(
    "the you your do does did what how can could my have has are with will would when where which there get about "
    "any this for and it if should much many who why am was were been i'm i'd i've don't can't isn't we us our".split())
# Common words of each language that are not English words: a detector's guess needs at least one of them.
_FUNCTION_WORDS = {
    "de": "der das und ist ich sie es ein eine einen nicht mit für bei euch ihr wie wo wer gibt kann können ich mich "
          "mein meine meiner bitte ob oder auch noch sind habe haben werden wird dem den des zu zum zur auf über "
          "sprechen möchte gerne wann welche",
    "fr": "le la les est en ma mon mes je vous et pour un une des du où que qui pas ce cette avec sur dans au aux "
          "quel quelle quels est-ce puis-je parler suis ai avez êtes combien comment pourquoi merci votre vos",
    "es": "el la los las es en mi mis yo usted ustedes y para un una unos del dónde donde que qué quién cuál cuántos "
          "cuántas cuanto cuánto como cómo hay puedo tengo tiene ofrecen con por estado quiero saber gracias hablar",
    "nl": "de het een en is ik je jij jullie u wat waar wie hoe hoeveel kan kunnen mijn met voor van bij niet ook "
          "krijg krijgen graag wil willen hebben heb zijn praten dat er naar wanneer welke",
    "it": "il lo la gli le è e un una di del della in per con che chi dove come quanti quante quanto posso sono ho "
          "hai avete mia mio mie miei vorrei sapere ci sono parlare grazie stato qual",
    "pt": "o os a as é e um uma de do da dos das em no na para com que quem onde como quantos quantas quanto posso "
          "tenho tem vocês você minha meu há gostaria saber estado falar obrigado obrigada por",
    "pl": "czy jest są jak ile gdzie kto co mi mnie moja mój moje mojej w z na do dla się nie tak oraz lub mogę "
          "chciałbym chciałabym porozmawiać przysługuje roku oferujecie jestem proszę dziękuję",
}
_FUNCTION_WORDS = {code: frozenset(text.split()) - _ENGLISH_WORDS - {"a", "i", "in", "an", "die", "was", "also", "be"}
                   for code, text in _FUNCTION_WORDS.items()}
_NOT_WORDS = re.compile(r"\S+@\S+|https?://\S+|www\.\S+|[\w-]*\d[\w-]*")  # e-mails, links, numbers, ids
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


_lock = threading.Lock()


def detector() -> LanguageDetector:
    """Returns the process's detector, with its language models loaded (once, even when called from two threads)."""
    with _lock:
        return _build()


@lru_cache(maxsize=1)
def _build() -> LanguageDetector:
    languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())) for code in LANGUAGES]
    return LanguageDetectorBuilder.from_languages(*languages).with_preloaded_language_models().build()


def warm_up() -> threading.Thread:
    """Starts loading the detector in a background thread (so the first message does not wait); returns the thread."""
    thread = threading.Thread(target=detector, name="language-models", daemon=True)
    thread.start()
    return thread


def words(text: str) -> list[str]:
    """Returns the words of text that can tell a language: e-mail addresses, links and numbers left out."""
    return _WORD.findall(_NOT_WORDS.sub(" ", text))


def other_language(text: str) -> str | None:
    """Returns the ISO 639-1 code of the language text is written in when that is confidently not English, else None."""
    found = words(text)
    folded = [w.casefold() for w in found]
    english = sum(w in _ENGLISH_WORDS for w in folded)
    if len(found) < MIN_WORDS or english >= 2:
        return None
    confidences = {value.language.iso_code_639_1.name.lower(): value.value
                   for value in detector().compute_language_confidence_values(" ".join(found))}
    best = max(confidences, key=confidences.get)
    if best == "en":
        return None
    own = sum(w in _FUNCTION_WORDS[best] for w in folded)
    confident = confidences[best] >= MIN_CONFIDENCE and confidences.get("en", 0.0) <= MAX_ENGLISH
    if own >= 1 and (confident or (own >= 2 and english == 0)):
        return best
    return None
