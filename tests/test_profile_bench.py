"""The turn profile puts each sampled stack in the bucket of its first bucket any frame matches (the specific before the general)."""

from __future__ import annotations

from assistant.profile_bench import BUCKETS, split


def test_stacks_go_to_the_most_specific_bucket_that_matches(tmp_path):
    raw = tmp_path / "rasa.txt"
    raw.write_text(
        "run (sanic/app.py:1);handle_message (/rasa/core/processor.py:9);parse (/rasa/nlu/classifiers/diet.py:3) 7\n"
        "run (sanic/app.py:1);save (/rasa/core/tracker_store.py:5);execute (sqlalchemy/engine/base.py:2) 3\n"
        "run (sanic/app.py:1);predict (/rasa/core/policies/ted_policy.py:4);call (keras/engine.py:1) 5\n"
        "select (selectors.py:1) 2\n")
    counts = split(raw, "rasa")
    assert counts == {"NLU pipeline": 7, "tracker store (SQL)": 3, "dialogue policies": 5, "other (event loop, Python)": 2}
    assert set(BUCKETS) == {"rasa", "actions", "api"}
