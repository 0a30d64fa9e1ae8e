"""The turn profile puts each sampled stack in the first bucket any frame matches (the specific before the general)
and leaves out threads that wait."""

from __future__ import annotations

from assistant.profile_bench import BUCKETS, split


def test_stacks_go_to_the_most_specific_bucket_that_matches(tmp_path):
    raw = tmp_path / "rasa.txt"
    raw.write_text(
        "run (sanic/app.py:1);handle_message (rasa/core/processor.py:9);parse (rasa/nlu/classifiers/diet.py:3) 7\n"
        "run (sanic/app.py:1);save (rasa/core/tracker_store.py:5);execute (sqlalchemy/engine/base.py:2) 3\n"
        "run (sanic/app.py:1);predict (rasa/core/policies/ted_policy.py:4);call (keras/engine.py:1) 5\n"
        "run (sanic/app.py:1);handle (rasa/core/processor.py:2);screen (/work/main/rasa_channel/rasa_channel/guard.py:8) 4\n"
        "run (sanic/app.py:1);receive (rasa/core/channels/rest.py:3) 1\n"
        "run (asyncio/runners.py:1);tick (/assistant/periodic.py:3) 2\n"
        "process 12:\"python -m rasa_sdk\";_bootstrap (threading.py:1);_worker (concurrent/futures/thread.py:81) 9\n"
        "select (selectors.py:1) 4\n")
    counts = split(raw, "rasa")
    assert counts == {"NLU pipeline": 7, "tracker store (SQL)": 3, "dialogue policies": 5, "other (event loop, Python)": 2,
                      "our channel (guard: length, language, junk; fail-safe)": 4, "channel, HTTP server, events": 1}
    assert set(BUCKETS) == {"rasa", "actions", "api"}


def test_a_marker_matches_a_path_segment_not_any_substring(tmp_path):
    raw = tmp_path / "api.txt"
    raw.write_text("run (uvicorn/server.py:1);app (fastapi/routing.py:2) 3\n"
                   "run (uvicorn/server.py:1);inbox (/work/main/api/routes/inbox.py:5) 2\n")
    assert split(raw, "api") == {"HTTP server": 3, "assistant code": 2}
