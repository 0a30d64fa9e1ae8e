"""Parsing and checking the knowledge base: every problem names its file and line."""

from __future__ import annotations

from pathlib import Path

from assistant.knowledge import documents
from assistant.knowledge.documents import MAX_SECTION_CHARS, Problem

FRONT = "---\ntitle: {title}\nurl: https://careers.example/help/{slug}\ntags: [a, b]\nowner: ta\nupdated: 2026-01-01\nlang: en\naudience: all\n---\n"


def write(folder: Path, name: str, body: str, *, title: str | None = None) -> Path:
    path = folder / name
    path.write_text(FRONT.format(title=title or name.removesuffix(".md").title(), slug=name) + body)
    return path


def problems(folder: Path) -> list[str]:
    return [str(p) for p in documents.check(folder)]


def test_the_shipped_knowledge_base_has_no_problems():
    assert documents.check(Path(__file__).resolve().parents[2] / "knowledge_base") == []


def test_sections_carry_title_and_heading_context(tmp_path):
    write(tmp_path, "visas.md", "\n# Visas\n\nIntro text.\n\n## Who we sponsor\nMost **office** roles, see [pay](pay.md).\n")
    write(tmp_path, "pay.md", "\n# Pay\n\n## Bands\nEvery posting shows a band.\n")
    docs, found = documents.load(tmp_path)
    assert found == []
    visas = next(d for d in docs if d.path == "visas.md")
    assert [s.heading for s in visas.sections] == ["Visas", "Who we sponsor"]
    section = visas.sections[1]
    assert section.line == 15
    assert section.text == "Most office roles, see pay."  # markup and link targets dropped
    assert section.search_text.startswith("Visas — Who we sponsor. Most office roles")


def test_missing_front_matter_is_reported_at_line_1(tmp_path):
    (tmp_path / "bare.md").write_text("# Bare\n\n## Section\nText.\n")
    assert problems(tmp_path) == ["bare.md:1: missing front matter: the file must start with a '---' line"]


def test_invalid_yaml_reports_its_line(tmp_path):
    (tmp_path / "bad.md").write_text("---\ntitle: Bad\nurl: [unclosed\nowner: x\n---\n# Bad\n## S\nText.\n")
    found = documents.check(tmp_path)
    assert len(found) == 1 and found[0].path == "bad.md" and found[0].line in (3, 4)
    assert "invalid front matter YAML" in found[0].message


def test_missing_and_invalid_fields(tmp_path):
    (tmp_path / "f.md").write_text("---\ntitle: F\nurl: careers page\ntags: [a]\nowner: x\nlang: en\naudience: all\n---\n# F\n## S\nText.\n")
    assert problems(tmp_path) == [
        "f.md:1: front matter misses the field 'updated'",
        "f.md:3: front matter field 'url' must be an http(s) URL or a path starting with /",
    ]


def test_empty_section_is_reported_at_its_heading(tmp_path):
    write(tmp_path, "e.md", "\n# E\n\n## Filled\nText.\n\n## Empty\n\n## Next\nMore.\n")
    assert problems(tmp_path) == ["e.md:16: section 'Empty' is empty"]


def test_duplicate_titles(tmp_path):
    write(tmp_path, "a.md", "# Same\n## S\nText.\n", title="Same")
    write(tmp_path, "b.md", "# Same\n## S\nText.\n", title="Same")
    assert problems(tmp_path) == ["b.md:2: title 'Same' is also used by a.md"]


def test_broken_relative_link(tmp_path):
    write(tmp_path, "a.md", "\n# A\n\n## S\nSee [b](b.md) and [web](https://x.example) and [gone](gone.md#part).\n")
    write(tmp_path, "b.md", "# B\n## S\nText.\n")
    assert problems(tmp_path) == ["a.md:14: broken link to 'gone.md#part': no such document"]


def test_oversized_section(tmp_path):
    write(tmp_path, "big.md", "# Big\n## Long\n" + "word " * (MAX_SECTION_CHARS // 4) + "\n")
    [found] = documents.check(tmp_path)
    assert found.path == "big.md" and found.line == 11 and "split it" in found.message


def test_not_utf8(tmp_path):
    (tmp_path / "latin.md").write_bytes(b"---\ntitle: Caf\xe9\n---\n")
    assert documents.check(tmp_path)[0] == Problem("latin.md", 1, documents.check(tmp_path)[0].message)
    assert "not UTF-8" in documents.check(tmp_path)[0].message


def test_lenient_mode_reads_plain_markdown(tmp_path):
    (tmp_path / "faq.md").write_text("# How do refunds work?\n\nRefunds take five days.\n")
    docs, found = documents.load(tmp_path, lenient=True)
    assert found == [] and docs[0].title == "How do refunds work?" and "five days" in docs[0].sections[0].text
