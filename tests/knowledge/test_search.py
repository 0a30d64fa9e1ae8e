"""Search on the real index and model: the section that answers wins, abbreviations, follow-ups get another section."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.knowledge import index, service
from assistant.knowledge.retrieval import rank

SHIPPED = Path(__file__).resolve().parents[2] / "knowledge_base"


def answer(question: str, **kwargs) -> tuple[str, str]:
    result = service.search(query=question, **kwargs)
    assert result.decision == "answer", result
    return result.best.doc_path, result.best.section.heading


@pytest.mark.parametrize("question", ["do you offer parental leave?", "is there paid maternity leave?",
                                      "how many weeks paternity leave"])
def test_the_section_that_answers_wins_over_one_that_mentions_it(served_index, question):
    assert answer(question, index=served_index) == ("parental-leave.md", "How much parental leave you get")


@pytest.mark.parametrize("question", ["how much PTO do I get?", "can unused PTO roll over?", "how many days of PTO for part-timers"])
def test_pto_reaches_the_vacation_section_not_bonus(served_index, question):
    assert answer(question, index=served_index) == ("time-off-and-holidays.md", "Annual vacation days")


@pytest.mark.parametrize("question, doc", [("do you sponsor H-1B visas?", "visa-sponsorship.md"),
                                           ("whats the L&D budget per year", "learning-budget.md"),
                                           ("is there a 401(k) match?", "pension-and-retirement.md"),
                                           ("do you have ERGs?", "equal-opportunity-and-diversity.md")])
def test_abbreviations_reach_their_article(served_index, question, doc):
    assert answer(question, index=served_index)[0] == doc


def test_a_follow_up_gets_another_section_of_the_same_article(served_index):
    first = ("parental-leave.md", "How much parental leave you get")
    assert answer("do you offer parental leave?", index=served_index) == first
    follow_up = answer("and for fathers?", context=["do you offer parental leave?"], shown=[first], index=served_index)
    assert follow_up[0] == "parental-leave.md" and follow_up != first
    sick = answer("and sick days?", context=["how many vacation days do I get?"],
                  shown=[("time-off-and-holidays.md", "Annual vacation days")], index=served_index)
    assert sick == ("time-off-and-holidays.md", "Sick leave")


def test_a_question_of_its_own_may_get_a_section_already_shown(served_index):
    shown = [("time-off-and-holidays.md", "Annual vacation days")]
    assert answer("how many paid vacation days do full-time employees get per year?", context=["what benefits do you have?"],
                  shown=shown, index=served_index) == shown[0]


def test_a_glossary_edit_is_served_by_the_next_build_without_re_embedding(tmp_path):
    folder = tmp_path / "kb"
    folder.mkdir()
    for name in ("time-off-and-holidays.md", "learning-budget.md", "compensation-and-pay-transparency.md"):
        text = (SHIPPED / name).read_text()
        (folder / name).write_text(text.replace("](", "](https://x.example/"))
    root = tmp_path / "idx"
    first = index.build(knowledge_dir=folder, root=root)
    before = index.load_version(root, first.version)
    assert before.glossary.terms == ()
    unknown = rank(before, "do I get TOIL?").hits[0]
    assert (unknown.doc_path, unknown.section.heading) != ("time-off-and-holidays.md", "Public holidays")
    (folder / "_glossary.yml").write_text("TOIL: [time off in lieu, day off after working a public holiday]\n")
    second = index.build(knowledge_dir=folder, root=root)
    assert second.published and second.embedded == 0  # only the questions change, not the indexed sections
    after = index.load_version(root, second.version)
    hit = rank(after, "do I get TOIL?").hits[0]
    assert (hit.doc_path, hit.section.heading) == ("time-off-and-holidays.md", "Public holidays")
