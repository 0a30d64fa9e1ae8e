"""Versioned index folders: published atomically by one writer, served by every process (knowledge and jobs).

Layout under an index root::

    CURRENT          name of the served version (replaced atomically by rename)
    v<UTC time>…/    one complete version, written as "<name>.tmp" and renamed when whole
    .build.lock      one writer at a time (CLI, watcher, API import, demo loader)

Readers compare ``CURRENT`` on every query (one small file read) and reload when it names a new version,
so a rebuild in one process is live in all of them within one query, without restarts.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Generic, Protocol, TypeVar

log = logging.getLogger(__name__)
POINTER = "CURRENT"
KEEP_VERSIONS = 3  # the served version and two before it (a reader may still be loading one)


class Versioned(Protocol):
    version: str


T = TypeVar("T", bound=Versioned)


@contextmanager
def build_lock(root: Path) -> Iterator[None]:
    """Holds the root's writer lock (an advisory file lock, so it also excludes other processes)."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".build.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def current_version(root: Path) -> str | None:
    """Returns the name of the served version, or None before the first build."""
    try:
        return (root / POINTER).read_text().strip() or None
    except FileNotFoundError:
        return None


def publish(root: Path, write: Callable[[Path, str], None], *, suffix: str = "") -> str:
    """Returns the name of a new version whose files ``write(folder, version)`` made, now served.

    The caller holds ``build_lock(root)``."""
    version = f"v{datetime.now(timezone.utc):%Y%m%dT%H%M%S%f}{suffix}"
    folder = root / version
    tmp = folder.with_name(folder.name + ".tmp")
    tmp.mkdir(parents=True)
    try:
        write(tmp, version)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    os.replace(tmp, folder)
    pointer = root / f"{POINTER}.{os.getpid()}.{threading.get_ident()}.tmp"
    pointer.write_text(version)
    os.replace(pointer, root / POINTER)  # atomic: readers see the old or the new name, never half of one
    _prune(root, keep=version)
    return version


def _prune(root: Path, *, keep: str) -> None:
    versions = sorted(p for p in root.iterdir() if p.is_dir() and p.name.startswith("v") and not p.name.endswith(".tmp"))
    for old in versions[:-KEEP_VERSIONS]:
        if old.name != keep:
            shutil.rmtree(old, ignore_errors=True)


class Served(Generic[T]):
    """The newest version of an index this process serves, per root, reloaded when ``CURRENT`` changes."""

    def __init__(self, name: str, load: Callable[[Path, str], T]):
        self.name = name
        self._load = load
        self._loaded: dict[Path, T] = {}
        self._lock = threading.Lock()

    def get(self, root: Path, build_first: Callable[[], str]) -> T:
        """Returns the served version under root; ``build_first`` makes one when none exists yet."""
        version = current_version(root) or build_first()
        loaded = self._loaded.get(root)
        if loaded is not None and loaded.version == version:
            return loaded
        with self._lock:  # one load per new version, however many threads ask
            loaded = self._loaded.get(root)
            if loaded is None or loaded.version != version:
                try:
                    loaded = self._load(root, version)
                except FileNotFoundError:  # pruned between reading the pointer and loading: read it again
                    loaded = self._load(root, current_version(root) or version)
                self._loaded[root] = loaded
                log.info("serving %s index %s", self.name, loaded.version)
            return loaded
