"""Rebuilds the knowledge index when a Markdown file or the glossary is added, edited or deleted (debounced; watchfiles)."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from watchfiles import Change, watch

from assistant import embeddings
from assistant.knowledge import index as index_module
from assistant.knowledge.vocabulary import GLOSSARY_FILE
from assistant.settings import get_settings

log = logging.getLogger(__name__)
DEBOUNCE_MS = 200


def _is_content(_change: Change, path: str) -> bool:
    return path.endswith(".md") or Path(path).name == GLOSSARY_FILE


class KnowledgeWatcher:
    """A daemon thread that publishes a new index version after each batch of content changes."""

    def __init__(self, knowledge_dir: Path, root: Path | None = None):
        self.knowledge_dir = knowledge_dir
        self.root = root
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="knowledge-watcher", daemon=True)

    def start(self) -> "KnowledgeWatcher":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        embeddings.get_model()  # loaded now, so the first edit is published within seconds
        self.rebuild()
        for changes in watch(self.knowledge_dir, watch_filter=_is_content, debounce=DEBOUNCE_MS, step=50,
                             stop_event=self._stop, raise_interrupt=False):
            log.info("knowledge base changed (%d files); rebuilding", len(changes))
            self.rebuild()

    def rebuild(self) -> index_module.BuildResult | None:
        """Returns the build result, or None when the content has problems (the served index stays)."""
        try:
            return index_module.build(knowledge_dir=self.knowledge_dir, root=self.root)
        except index_module.KnowledgeCheckFailed as error:
            for problem in error.problems:
                log.warning("knowledge base not published: %s", problem)
        except Exception:  # noqa: BLE001 - the watcher must survive one bad build
            log.exception("knowledge rebuild failed; the served index stays")
        return None


def start_if_enabled() -> KnowledgeWatcher | None:
    """Starts watching settings.knowledge_dir when settings.watch_knowledge is on; returns the watcher."""
    settings = get_settings()
    if not settings.watch_knowledge or not settings.knowledge_dir.is_dir():
        return None
    return KnowledgeWatcher(settings.knowledge_dir).start()
