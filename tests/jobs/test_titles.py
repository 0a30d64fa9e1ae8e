"""Title normalisation, the BM25 title index, the page policy and `assistant jobs eval` on a tiny feed."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.jobs import catalogue_eval, titles
from assistant.jobs.index import JobMeta
from assistant.jobs.lexical import TitleIndex


@pytest.mark.parametrize("typed, expected", [
    ("Pflegefachkraft (m/w/d)", "registered nurse"),  # gender marker gone, German title translated
    ("Friseurin", "hairdresser"),  # feminine form
    ("nurses", "nurse"),  # plural
    ("midwives", "midwife"),  # irregular plural
    ("infirmière", "nurse"),  # accents folded
    ("RN", "registered nurse"),  # abbreviation
])
def test_requests_come_out_in_the_words_postings_use(typed, expected):
    assert titles.normalise(typed).text == expected


def test_synonyms_keep_the_typed_words_and_add_theirs():
    assert titles.normalise("care assistant").text == "care assistant aide"


def test_typos_are_corrected_to_catalogue_words_first_and_short_words_are_left_alone():
    result = titles.normalise("electrican", known=frozenset({"electrician"}))
    assert result.text == "electrician" and result.corrected == {"electrican": "electrician"}
    assert titles.normalise("cafe", known=frozenset({"care"})).text == "cafe"


def _meta(job_id, title, department="healthcare", skills=()):
    return JobMeta(job_id, f"T-{job_id}", title, department, "mid", "Leeds", "United Kingdom", "onsite", list(skills))


def test_title_index_scores_distinct_titles_and_honours_the_filter_mask():
    import numpy as np

    metas = [_meta(1, "Registered Nurse"), _meta(2, "Registered Nurse"), _meta(3, "Forklift Operator", "logistics"),
             _meta(4, "Dental Assistant", skills=["Sterilisation"])]
    index = TitleIndex(metas)
    result = index.search(["registered", "nurse"], 10)
    assert result.hits[:2] == [1, 2] and 3 not in result.hits
    assert result.score(1) == 1.0 and result.score(3) == 0.0 and result.title_match(2) and not result.title_match(4)
    masked = index.search(["registered", "nurse"], 10, allowed=np.array([False, True, True, True]))
    assert masked.hits == [2]


def test_a_page_never_leaves_a_single_card_when_the_pool_holds_more(db_session, catalogue):
    from assistant.jobs.recommend import MIN_CARDS, recommend_jobs

    result = recommend_jobs(db_session=db_session, text="krankenschwester", loaded=catalogue.index(), log_shown=False)
    assert len(result.items) >= MIN_CARDS
    assert "Nurse" in result.items[0].job.title
    assert result.items[0].why.startswith("Fits your search for krankenschwester")  # the reason keeps the words typed


def test_eval_command_on_a_tiny_feed(tmp_path):
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps([
        {"external_id": "A-1", "title": "Heavy Goods Vehicle Driver", "department": "logistics", "level": "mid",
         "city": "Leeds", "skills": ["Class 1 Licence"]},
        {"external_id": "A-2", "title": "Registered Nurse", "department": "healthcare", "level": "mid", "city": "Leeds"},
        {"external_id": "A-3", "title": "Cashier", "department": "retail", "level": "mid", "city": "Leeds"},
    ]))
    cases = tmp_path / "cases.jsonl"
    cases.write_text('{"request": "HGV driver", "expected": ["A-1"]}\n'
                     '{"request": "Krankenschwester", "expected_titles": ["Registered Nurse"]}\n'
                     '{"request": "till operator", "expected": ["A-3"]}\n')
    figures = catalogue_eval.evaluate(catalogue=feed, cases_path=cases, show=False)
    assert figures["cases"] == 3 and figures["all"]["recommender"]["recall@5"] == 1.0
    assert set(figures["all"]) >= {"recommender", "bm25", "embeddings", "pages"} and figures["latency_ms"]["p95"] > 0
    result = CliRunner().invoke(app, ["jobs", "eval", "--catalogue", str(feed), "--cases", str(cases)])
    assert result.exit_code == 0, result.output
    assert "Recall@5" in result.output and "held-out" in result.output


def test_eval_command_rejects_a_case_naming_a_missing_posting(tmp_path):
    feed = tmp_path / "feed.csv"
    feed.write_text("external_id,title,department,level,city\nB-1,Cashier,retail,mid,Leeds\n")
    cases = tmp_path / "cases.jsonl"
    cases.write_text('{"request": "cashier", "expected": ["B-404"]}\n')
    result = CliRunner().invoke(app, ["jobs", "eval", "--catalogue", str(feed), "--cases", str(cases)])
    assert result.exit_code == 2 and "B-404" in result.output


def test_shipped_title_sets_are_large_enough_and_name_real_postings():
    from assistant.jobs import demo
    from assistant.jobs.schemas import JobPosting

    total = 0
    for feed, cases in catalogue_eval.SHIPPED_SETS.values():
        postings = [JobPosting.model_validate(r) for r in demo.rows(catalogue=feed) if r["status"] == "open"]
        total += len(catalogue_eval.read_cases(cases, postings))
    assert total >= 300
