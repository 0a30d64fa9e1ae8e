"""Reading the knowledge base: Markdown files with YAML front matter, split into `##` sections.

``load`` returns the documents and every problem found, each with ``file:line``; ``check`` is the
same without the documents. A build refuses to publish an index while any problem remains.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import yaml
from markdown_it import MarkdownIt

from assistant.knowledge import vocabulary
from assistant.knowledge.problems import Problem

REQUIRED_FIELDS = ("title", "url", "tags", "owner", "updated", "lang", "audience")
OPTIONAL_FIELDS = ("aliases", "section_aliases")  # other names for the article, and per `##` heading
MAX_SECTION_CHARS = 1500  # the embedding model reads ~256 word pieces; longer sections lose their end
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
_markdown = MarkdownIt("commonmark")


@dataclass(frozen=True)
class Section:
    doc_path: str  # relative to the knowledge folder, e.g. "visa-sponsorship.md"
    doc_title: str
    url: str
    heading: str  # the `##` heading; the document title for the text before the first `##`
    markdown: str
    line: int
    aliases: tuple[str, ...] = ()  # the article's other names (front matter `aliases`)
    section_aliases: tuple[str, ...] = ()  # questions or names this section answers (`section_aliases`)

    @property
    def text(self) -> str:
        """The section as plain text (what the chat shows)."""
        return plain_text(self.markdown)

    @property
    def search_text(self) -> str:
        """The text that is embedded and indexed: title, heading and aliases give the section its context."""
        heading = "" if self.heading == self.doc_title else f" — {self.heading}"
        aliases = dict.fromkeys(self.aliases + self.section_aliases)
        names = f" ({', '.join(aliases)})" if aliases else ""
        return f"{self.doc_title}{heading}{names}. {self.text}"

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.search_text.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Document:
    path: str
    title: str
    url: str
    tags: tuple[str, ...]
    sections: tuple[Section, ...]
    content_hash: str
    title_line: int = 1
    links: tuple[tuple[int, str], ...] = ()  # (line, target) of every Markdown link
    meta: dict = field(default_factory=dict, compare=False)


def plain_text(markdown: str) -> str:
    """Returns Markdown as plain text: inline markup and link targets dropped, one line per block."""
    lines: list[str] = []
    for token in _markdown.parse(markdown):
        if token.type != "inline":
            continue
        parts = []
        for child in token.children or []:
            if child.type in ("text", "code_inline"):
                parts.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                parts.append(" ")
        line = "".join(parts).strip()
        if line:
            lines.append(line)
    return "\n".join(lines)


def load(knowledge_dir: Path, *, lenient: bool = False) -> tuple[list[Document], list[Problem]]:
    """Returns the documents of a folder (recursively, *.md) and the problems found in them.

    lenient: accept Markdown without front matter (title from the first heading or the file name),
    for evaluating foreign FAQ collections; the shipped knowledge base is always checked strictly.
    """
    documents: list[Document] = []
    problems: list[Problem] = []
    paths = sorted(p for p in knowledge_dir.rglob("*.md") if not any(part.startswith(".") for part in p.parts))
    for path in paths:
        rel = path.relative_to(knowledge_dir).as_posix()
        document, found = parse(path.read_bytes(), rel, lenient=lenient)
        problems += found
        if document is not None:
            documents.append(document)
    problems += _duplicate_titles(documents)
    problems += _broken_links(documents, knowledge_dir)
    problems += vocabulary.load_glossary(knowledge_dir)[1]
    return documents, sorted(problems, key=lambda p: (p.path, p.line))


def check(knowledge_dir: Path) -> list[Problem]:
    """Returns every problem in the knowledge base (empty when it can be published)."""
    return load(knowledge_dir)[1]


def parse(raw: bytes, rel: str, *, lenient: bool = False) -> tuple[Document | None, list[Problem]]:
    """Returns one document parsed from raw file content (None if unusable) and its problems."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return None, [Problem(rel, 1, f"not UTF-8 text ({error.reason} at byte {error.start})")]
    lines = text.splitlines()
    meta, body_start, problems = _front_matter(lines, rel, lenient=lenient)
    if meta is None:
        return None, problems
    title = str(meta.get("title") or "").strip() or _first_heading(lines[body_start:]) or Path(rel).stem
    url = str(meta.get("url") or rel)
    sections, section_problems = _sections(lines, body_start, rel, title, url)
    problems += section_problems
    sections, alias_problems = _with_aliases(sections, meta, lines[1:body_start], rel, strict=not lenient)
    problems += alias_problems
    if not sections:
        problems.append(Problem(rel, body_start + 1, "the document has no text"))
        return None, problems
    tags = meta.get("tags") if isinstance(meta.get("tags"), list) else []
    digest = hashlib.sha256(raw).hexdigest()[:32]
    links = tuple((number, target) for number, line in enumerate(lines[body_start:], start=body_start + 1)
                  for target in LINK.findall(line))
    document = Document(rel, title, url, tuple(str(t) for t in tags), tuple(sections), digest,
                        _field_line(lines[1:body_start], "title"), links, meta)
    return document, problems


def _front_matter(lines: list[str], rel: str, *, lenient: bool) -> tuple[dict | None, int, list[Problem]]:
    """Returns (metadata, index of the first body line, problems); metadata None when unusable."""
    if not lines or lines[0].strip() != "---":
        if lenient:
            return {}, 0, []
        return None, 0, [Problem(rel, 1, "missing front matter: the file must start with a '---' line")]
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        return None, 0, [Problem(rel, 1, "front matter is not closed by a '---' line")]
    try:
        meta = yaml.safe_load("\n".join(lines[1:end])) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        reason = getattr(error, "problem", None) or str(error).splitlines()[0]
        return None, 0, [Problem(rel, line, f"invalid front matter YAML: {reason}")]
    if not isinstance(meta, dict):
        return None, 0, [Problem(rel, 2, "front matter must be a mapping of fields (title: ..., url: ...)")]
    problems = [] if lenient else _field_problems(meta, lines[1:end], rel)
    return meta, end + 1, problems


def _field_line(front_lines: list[str], name: str) -> int:
    for i, line in enumerate(front_lines):
        if line.startswith(f"{name}:"):
            return i + 2
    return 1


def _field_problems(meta: dict, front_lines: list[str], rel: str) -> list[Problem]:
    problems = [Problem(rel, 1, f"front matter misses the field '{name}'") for name in REQUIRED_FIELDS if name not in meta]
    known = REQUIRED_FIELDS + OPTIONAL_FIELDS
    problems += [Problem(rel, _field_line(front_lines, str(name)),
                         f"unknown front matter field '{name}' (known: {', '.join(known)})")
                 for name in meta if name not in known]
    checks = {
        "title": lambda v: isinstance(v, str) and v.strip() != "",
        "url": lambda v: isinstance(v, str) and (v.startswith(("https://", "http://", "/"))),
        "tags": lambda v: isinstance(v, list) and all(isinstance(t, str) for t in v),
        "updated": lambda v: isinstance(v, date),
        "lang": lambda v: isinstance(v, str) and v.strip() != "",
        "owner": lambda v: isinstance(v, str) and v.strip() != "",
        "audience": lambda v: isinstance(v, str) and v.strip() != "",
    }
    expected = {"title": "non-empty text", "url": "an http(s) URL or a path starting with /",
                "tags": "a list of words", "updated": "a date (YYYY-MM-DD)"}
    for name, valid in checks.items():
        if name in meta and not valid(meta[name]):
            problems.append(Problem(rel, _field_line(front_lines, name),
                                    f"front matter field '{name}' must be {expected.get(name, 'non-empty text')}"))
    return problems


def _texts(value: object) -> list[str] | None:
    """Returns value as a list of non-empty texts, or None when it is not one."""
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        return None
    return [v.strip() for v in value]


def _with_aliases(sections: list[Section], meta: dict, front_lines: list[str], rel: str,
                  *, strict: bool) -> tuple[list[Section], list[Problem]]:
    """Returns the sections with the front matter's `aliases` (all sections) and `section_aliases` (one each) added."""
    problems: list[Problem] = []
    aliases_line = _field_line(front_lines, "aliases")
    article = _texts(meta.get("aliases", []))
    if article is None:
        problems.append(Problem(rel, aliases_line, "front matter field 'aliases' must be a list of non-empty texts "
                                                   "(aliases: [PTO, days off])"))
        article = []
    per_section = meta.get("section_aliases", {})
    if not isinstance(per_section, dict):
        problems.append(Problem(rel, _field_line(front_lines, "section_aliases"),
                                "front matter field 'section_aliases' must map `##` headings to lists of texts"))
        per_section = {}
    headings = {s.heading for s in sections}
    extra: dict[str, list[str]] = {}
    for heading, value in per_section.items():
        line = _key_line(front_lines, str(heading))
        texts = _texts(value)
        if str(heading) not in headings:
            problems.append(Problem(rel, line, f"section_aliases names '{heading}', which is not a `##` heading here"))
        elif texts is None:
            problems.append(Problem(rel, line, f"section_aliases of '{heading}' must be a list of non-empty texts"))
        else:
            extra[str(heading)] = texts
    if strict:
        for line, texts in [(aliases_line, article)] + [(_key_line(front_lines, h), t) for h, t in extra.items()]:
            folded = [t.casefold() for t in texts]
            problems += [Problem(rel, line, f"alias '{t}' is given twice") for i, t in enumerate(texts) if t.casefold() in folded[:i]]
    with_aliases = [replace(s, aliases=tuple(article), section_aliases=tuple(extra.get(s.heading, ()))) for s in sections]
    return with_aliases, problems


def _key_line(front_lines: list[str], key: str) -> int:
    """Returns the file line of a nested front matter key (`  How much you get: [...]`), else of section_aliases."""
    for i, line in enumerate(front_lines):
        if line.strip().strip("'\"").startswith(key) and line.startswith((" ", "\t")):
            return i + 2
    return _field_line(front_lines, "section_aliases")


def _first_heading(lines: list[str]) -> str:
    return next((line.lstrip("#").strip() for line in lines if line.startswith("# ")), "")


def _sections(lines: list[str], start: int, rel: str, title: str, url: str) -> tuple[list[Section], list[Problem]]:
    """Returns the sections (intro under the title, then one per `##` heading) and their problems."""
    sections: list[Section] = []
    problems: list[Problem] = []
    heading, heading_line, body = title, start + 1, []
    fence = False

    def close() -> None:
        markdown = "\n".join(body).strip()
        if not markdown:
            if heading != title:
                problems.append(Problem(rel, heading_line, f"section '{heading}' is empty"))
            return
        if len(markdown) > MAX_SECTION_CHARS:
            problems.append(Problem(rel, heading_line, f"section '{heading}' has {len(markdown)} characters "
                                                       f"(at most {MAX_SECTION_CHARS}): split it under more '##' headings"))
        sections.append(Section(rel, title, url, heading, markdown, heading_line))

    for number, line in enumerate(lines[start:], start=start + 1):
        if line.lstrip().startswith("```"):
            fence = not fence
        if not fence and line.startswith("## "):
            close()
            heading, heading_line, body = line[3:].strip(), number, []
        elif not fence and line.startswith("# "):
            continue  # the document title
        else:
            body.append(line)
    close()
    return sections, problems


def _duplicate_titles(documents: list[Document]) -> list[Problem]:
    seen: dict[str, str] = {}
    problems = []
    for document in documents:
        key = document.title.casefold()
        if key in seen:
            problems.append(Problem(document.path, document.title_line, f"title '{document.title}' is also used by {seen[key]}"))
        else:
            seen[key] = document.path
    return problems


def _broken_links(documents: list[Document], knowledge_dir: Path) -> list[Problem]:
    problems = []
    for document in documents:
        for line, target in document.links:
            if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith(("#", "/")):
                continue  # absolute URLs, mail links, anchors and site paths are not files here
            resolved = (knowledge_dir / Path(document.path).parent / target.split("#", 1)[0]).resolve()
            if not resolved.is_file():
                problems.append(Problem(document.path, line, f"broken link to '{target}': no such document"))
    return problems
