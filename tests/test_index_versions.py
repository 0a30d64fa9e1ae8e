"""Versioned index folders: atomic publish, a failed write changes nothing, readers follow CURRENT."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant import index_versions


@dataclass
class Loaded:
    version: str
    text: str


def _write(text: str):
    return lambda folder, version: (folder / "data.json").write_text(json.dumps({"version": version, "text": text}))


def _load(root: Path, version: str) -> Loaded:
    return Loaded(version, json.loads((root / version / "data.json").read_text())["text"])


def test_publish_points_current_at_a_complete_version(tmp_path):
    with index_versions.build_lock(tmp_path):
        version = index_versions.publish(tmp_path, _write("one"), suffix="-abc")
    assert version.startswith("v") and version.endswith("-abc")
    assert index_versions.current_version(tmp_path) == version
    assert json.loads((tmp_path / version / "data.json").read_text()) == {"version": version, "text": "one"}
    assert not list(tmp_path.glob("*.tmp"))


def test_a_failed_write_leaves_the_served_version_and_no_debris(tmp_path):
    with index_versions.build_lock(tmp_path):
        good = index_versions.publish(tmp_path, _write("good"))

        def broken(folder, version):
            (folder / "half.json").write_text("{")
            raise OSError("disk full")

        with pytest.raises(OSError, match="disk full"):
            index_versions.publish(tmp_path, broken)
    assert index_versions.current_version(tmp_path) == good
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == [good]


def test_old_versions_are_pruned_to_the_newest_few(tmp_path):
    with index_versions.build_lock(tmp_path):
        versions = [index_versions.publish(tmp_path, _write(str(n))) for n in range(index_versions.KEEP_VERSIONS + 2)]
    kept = sorted(p.name for p in tmp_path.iterdir() if p.is_dir())
    assert kept == versions[-index_versions.KEEP_VERSIONS:]


def test_served_builds_the_first_version_then_follows_current(tmp_path):
    served = index_versions.Served("test", _load)

    def build_first():
        with index_versions.build_lock(tmp_path):
            return index_versions.publish(tmp_path, _write("first"))

    first = served.get(tmp_path, build_first)
    assert first.text == "first"
    assert served.get(tmp_path, build_first) is first  # no reload while CURRENT is unchanged
    with index_versions.build_lock(tmp_path):
        index_versions.publish(tmp_path, _write("second"))
    assert served.get(tmp_path, build_first).text == "second"


def test_a_version_pruned_while_loading_is_retried_with_the_new_pointer(tmp_path, monkeypatch):
    with index_versions.build_lock(tmp_path):
        old = index_versions.publish(tmp_path, _write("old"))
        new = index_versions.publish(tmp_path, _write("new"))
    shutil.rmtree(tmp_path / old)  # pruned by a writer after this reader read the pointer
    pointer_reads = iter([old, new])
    monkeypatch.setattr(index_versions, "current_version", lambda root: next(pointer_reads))
    loaded = index_versions.Served("test", _load).get(tmp_path, lambda: pytest.fail("a version exists"))
    assert loaded.version == new and loaded.text == "new"
