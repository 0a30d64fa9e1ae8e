"""Building, publishing and serving index versions: hash cache, atomic pointer, failed builds keep serving."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.knowledge import index
from assistant import index_versions
from assistant.knowledge.index import KnowledgeCheckFailed, current_version, served

SHIPPED = Path(__file__).resolve().parents[2] / "knowledge_base"


@pytest.fixture
def small_kb(tmp_path):
    folder = tmp_path / "kb"
    folder.mkdir()
    for name in ("visa-sponsorship.md", "parental-leave.md", "learning-budget.md"):
        text = (SHIPPED / name).read_text()
        (folder / name).write_text(text.replace("](", "](https://x.example/"))  # links to docs left out
    return folder


def test_build_publishes_a_version_with_a_manifest(small_kb, tmp_path):
    root = tmp_path / "idx"
    result = index.build(knowledge_dir=small_kb, root=root)
    parental_aliases = 4  # parental-leave.md's section_aliases are embedded on their own too
    assert result.published and result.documents == 3 and result.embedded == result.sections + parental_aliases
    assert current_version(root) == result.version
    manifest = json.loads((root / result.version / "manifest.json").read_text())
    assert manifest["model"] == "all-MiniLM-L6-v2" and manifest["dimension"] == 384
    assert set(manifest["documents"]) == {"visa-sponsorship.md", "parental-leave.md", "learning-budget.md"}
    assert manifest["version"] == result.version and manifest["created_at"]
    assert index.load_version(root, result.version).vectors.ntotal == result.sections + parental_aliases


def test_unchanged_content_is_not_rebuilt_and_one_edit_reembeds_one_section(small_kb, tmp_path):
    root = tmp_path / "idx"
    first = index.build(knowledge_dir=small_kb, root=root)
    again = index.build(knowledge_dir=small_kb, root=root)
    assert not again.published and again.version == first.version and again.embedded == 0
    path = small_kb / "learning-budget.md"
    path.write_text(path.read_text() + "\n## Books\nBooks count towards the learning budget too.\n")
    edited = index.build(knowledge_dir=small_kb, root=root)
    assert edited.published and edited.version != first.version
    assert edited.embedded == 1  # every other section came from the content-hash cache
    assert current_version(root) == edited.version


def test_failed_build_keeps_the_served_version(small_kb, tmp_path):
    root = tmp_path / "idx"
    good = index.build(knowledge_dir=small_kb, root=root)
    assert served(root=root).version == good.version
    (small_kb / "broken.md").write_text("# No front matter\n\n## Section\nText.\n")
    with pytest.raises(KnowledgeCheckFailed) as error:
        index.build(knowledge_dir=small_kb, root=root)
    assert str(error.value.problems[0]).startswith("broken.md:1: missing front matter")
    assert current_version(root) == good.version
    assert served(root=root).version == good.version


def test_readers_reload_when_the_pointer_moves(small_kb, tmp_path):
    root = tmp_path / "idx"
    index.build(knowledge_dir=small_kb, root=root)
    before = served(root=root)
    (small_kb / "visa-sponsorship.md").unlink()
    after_build = index.build(knowledge_dir=small_kb, root=root)
    after = served(root=root)
    assert after.version == after_build.version != before.version
    assert {s.doc_path for s in after.sections} == {"parental-leave.md", "learning-budget.md"}


def test_old_versions_are_pruned(small_kb, tmp_path):
    root = tmp_path / "idx"
    for _ in range(index_versions.KEEP_VERSIONS + 2):
        index.build(knowledge_dir=small_kb, root=root, force=True)
    versions = [p for p in root.iterdir() if p.is_dir()]
    assert len(versions) == index_versions.KEEP_VERSIONS and (root / current_version(root)).is_dir()


def test_copy_of_shipped_kb_builds(served_index):
    assert served_index.manifest["sections"] == len(served_index.sections) > 150
