"""Rasa custom actions (rasa-sdk). Thin adapters: tracker in, service call, messages and events out.

Served by ``python -m rasa_sdk --actions actions``; every module in this package is registered.
"""

import logging
import sys
import warnings

# rasa-sdk 3.21 serves a Rasa 3.6 server correctly (measured) and only warns that the versions differ.
# Silence exactly that warning, not others.
warnings.filterwarnings("ignore", message=".*Rasa SDK.*version.*")
logging.getLogger("rasa_sdk.endpoint").addFilter(
    lambda record: "compatible" not in record.getMessage() or "version" not in record.getMessage()
)


def _warm_up() -> None:
    """Loads the embedding model and the served indexes before the server takes its first call, so the
    first knowledge or jobs question is not the one that waits for them. A missing index only warns."""
    log = logging.getLogger(__name__)
    try:
        from assistant import embeddings
        from assistant.db import session_scope
        from assistant.jobs import index as jobs_index
        from assistant.knowledge import index as knowledge_index

        embeddings.embed(["warm up"])
        knowledge_index.served()
        with session_scope() as db:
            jobs_index.served(db_session=db)
    except Exception:  # noqa: BLE001 - the server still starts; the action reports the problem per call
        log.warning("warm-up incomplete: a search index is not ready yet", exc_info=True)


if "rasa_sdk" in (sys.argv[0] if sys.argv else ""):  # only in the action server, not when tests import us
    _warm_up()
