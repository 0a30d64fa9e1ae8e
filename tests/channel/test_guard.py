"""The channel guard against fake turns (its own process: it runs inside Rasa's environment)."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

from assistant import stack

CASES = Path(__file__).with_name("guard_cases.py")


def play() -> dict:
    env = stack.rasa_env()
    out = subprocess.run([str(stack.ROOT / ".venv-rasa" / "bin" / "python"), str(CASES)], env=env,
                         capture_output=True, text=True, timeout=120, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_guard_answers_every_kind_of_turn():
    got = play()
    unavailable = ("Sorry, I can't answer that right now because of a technical problem on our side. "
                   "Nothing you sent is lost. Please try again in a few minutes or e-mail jobs@example.org.")
    assert got["answers"] == ["an answer"]
    assert got["too_long"] == ["That message is too long for me to read: please keep it under 60 characters. "
                               "You could send the most important part first."]
    assert got["dutch"] == ["Sorry, ik kan voorlopig alleen in het Engels antwoorden. Stel je vraag in het Engels "
                            "of mail ons recruitmentteam via jobs@example.org."]
    assert got["sql"] == ["I couldn't read that as a question, sorry. Please ask in a few words, for example "
                          "\"How long does the hiring process take?\""]
    # a form answer, a conversation a recruiter has, a button payload and a name always reach NLU
    assert got["dutch_in_form"] == got["dutch_paused"] == got["payload"] == got["short"] == ["an answer"]
    # the chat window's key never reaches Rasa's records: only its hash, set by the channel alone
    assert json.loads(got["window_key"][0]) == {"client_key_hash": hashlib.sha256(b"k" * 32).hexdigest(), "page": "/"}
    assert json.loads(got["forged_hash"][0]) == json.loads(got["short_key"][0]) == {}
    assert got["silent"] == [unavailable]
    failed = ("Sorry, I can't answer that right now because of a technical problem on our side. "
              "Please send your message again in a few minutes, or e-mail jobs@example.org.")
    assert got["crashes"] == [failed]
    # an answer whose turn could not be stored is withdrawn: the candidate knows to send it again
    assert got["answers_then_save_fails"] == [failed]
    # Rasa's fail-safe store would keep the turn in memory and answer; the guard makes it raise instead
    assert got["store_fails_silently_in_rasa"] == [failed]
    assert got["slow"] == ["Sorry, this is taking longer than it should because of a technical problem on our side. "
                           "I'll answer here as soon as I can, or e-mail jobs@example.org."]
