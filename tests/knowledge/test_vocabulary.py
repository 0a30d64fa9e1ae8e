"""The knowledge vocabulary: glossary parsing and checks, query expansion, article and section aliases."""

from __future__ import annotations

from pathlib import Path

from assistant.knowledge import documents, vocabulary, watcher
from assistant.knowledge.vocabulary import Glossary, Term, parse_glossary

FRONT = ("---\ntitle: Time off\nurl: https://careers.example/help/time-off\ntags: [a]\nowner: ta\n"
         "updated: 2026-01-01\nlang: en\naudience: all\n{extra}---\n\n# Time off\n\nIntro.\n\n## Vacation days\n28 days.\n")


def problems_of(text: str) -> list[str]:
    return [str(p) for p in parse_glossary(text.encode())[1]]


def test_a_glossary_maps_terms_to_meanings():
    glossary, found = parse_glossary(b"# comment\nPTO: [paid time off, vacation days]\nH-1B: US work visa\n")
    assert found == []
    assert glossary.terms == (Term("PTO", ("paid time off", "vacation days"), 2), Term("H-1B", ("US work visa",), 3))


def test_glossary_problems_name_their_line():
    assert problems_of("PTO: [paid time off]\n'': [nothing]\n") == [
        "_glossary.yml:2: empty term: write the abbreviation or word before the ':'"]
    assert problems_of("PTO: []\n") == ["_glossary.yml:1: term 'PTO' has an empty meaning: give what it stands for"]
    assert problems_of("PTO:\n  - paid time off\n  - ''\n") == [
        "_glossary.yml:2: term 'PTO' has an empty meaning: give what it stands for"]
    assert problems_of("PTO: {a: b}\n") == ["_glossary.yml:1: the meanings of 'PTO' must be a text or a list of texts"]
    assert problems_of("PTO: [paid time off]\nWFH: [work from home]\npto: [vacation]\n") == [
        "_glossary.yml:3: term 'pto' is listed twice (line 1): keep one entry with all meanings"]
    assert problems_of("H-1B: [work visa]\nh1b: [visa]\n") == [
        "_glossary.yml:2: term 'h1b' is spelled like 'H-1B' (line 1): keep one entry with all meanings"]
    assert problems_of("leave: [time off]\nmat leave: [maternity leave]\n") == [
        "_glossary.yml:2: term 'mat leave' contains the term 'leave' (line 1): merge them or drop one"]
    assert problems_of("401k: [401(k)]\n") == ["_glossary.yml:1: term '401k' lists itself as a meaning"]
    assert problems_of("- PTO\n- WFH\n") == [
        "_glossary.yml:1: the glossary must map each term to its meanings (PTO: [paid time off, vacation])"]
    assert problems_of("PTO: [unclosed\n")[0].startswith("_glossary.yml:2: invalid YAML")


def test_expansion_adds_meanings_after_each_term_whatever_its_spelling():
    glossary = Glossary((Term("PTO", ("paid time off", "vacation days")), Term("H-1B", ("US work visa",)),
                         Term("401k", ("US retirement plan",)), Term("ERG", ("employee networks",)),
                         Term("L&D", ("learning and development",)), Term("BIG register", ("Dutch registration",))))
    assert glossary.expand("how much PTO do I get?") == "how much PTO (paid time off, vacation days) do I get?"
    assert glossary.expand("h1b for engineers") == "h1b (US work visa) for engineers"
    assert glossary.expand("is there a 401(k) match?") == "is there a 401(k) (US retirement plan) match?"
    assert glossary.expand("do you have ERGs?") == "do you have ERGs (employee networks)?"
    assert glossary.expand("L&D budget") == "L&D (learning and development) budget"
    # whole words only, and meanings already in the question are not repeated
    assert glossary.expand("how big is the optometry team? helpto") == "how big is the optometry team? helpto"
    assert glossary.expand("PTO or paid time off") == "PTO (vacation days) or paid time off"


def test_the_shipped_glossary_has_terms_and_no_problems():
    glossary, found = vocabulary.load_glossary(Path(__file__).resolve().parents[2] / "knowledge_base")
    assert found == [] and len(glossary.terms) >= 30
    assert {"PTO", "401k", "H-1B", "L&D"} <= {t.term for t in glossary.terms}


def test_aliases_go_into_the_indexed_text(tmp_path):
    extra = "aliases: [PTO, days off]\nsection_aliases:\n  Vacation days: [holiday allowance]\n"
    (tmp_path / "time-off.md").write_text(FRONT.format(extra=extra))
    [doc], found = documents.load(tmp_path)
    assert found == []
    intro, vacation = doc.sections
    assert intro.aliases == ("PTO", "days off") and intro.section_aliases == ()
    assert vacation.section_aliases == ("holiday allowance",)
    assert vacation.search_text == "Time off — Vacation days (PTO, days off, holiday allowance). 28 days."


def test_alias_problems_name_their_line(tmp_path):
    extra = ("aliases: [PTO, pto]\nsection_aliases:\n  Vacation days: [a, '']\n  Sick leave: [ill]\n"
             "alias: [typo]\n")
    (tmp_path / "time-off.md").write_text(FRONT.format(extra=extra))
    assert [str(p) for p in documents.check(tmp_path)] == [
        "time-off.md:9: alias 'pto' is given twice",
        "time-off.md:11: section_aliases of 'Vacation days' must be a list of non-empty texts",
        "time-off.md:12: section_aliases names 'Sick leave', which is not a `##` heading here",
        "time-off.md:13: unknown front matter field 'alias' (known: title, url, tags, owner, updated, lang, audience, "
        "aliases, section_aliases)",
    ]


def test_glossary_problems_block_the_folder_like_article_problems(tmp_path):
    (tmp_path / "time-off.md").write_text(FRONT.format(extra=""))
    (tmp_path / "_glossary.yml").write_text("PTO: [paid time off]\nPTO: [vacation]\n")
    assert [str(p) for p in documents.check(tmp_path)] == [
        "_glossary.yml:2: term 'PTO' is listed twice (line 1): keep one entry with all meanings"]


def test_the_watcher_rebuilds_on_glossary_edits():
    assert watcher._is_content(None, "/kb/_glossary.yml") and watcher._is_content(None, "/kb/a.md")
    assert not watcher._is_content(None, "/kb/notes.txt")
