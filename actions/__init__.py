"""Rasa custom actions (rasa-sdk). Thin adapters: tracker in, service call, messages and events out.

Served by ``python -m rasa_sdk --actions actions``; every module in this package is registered.
"""

import logging
import os
import warnings

# rasa-sdk 3.21 serves a Rasa 3.6 server correctly (measured) and only warns that the versions differ.
# Silence exactly that warning, not others.
warnings.filterwarnings("ignore", message="Your versions of rasa and rasa_sdk might not be compatible")


def _warm_up() -> None:
    """Loads the embedding model and the served indexes before the first call, so the first knowledge or
    jobs question does not wait for them. A missing index only warns: the action reports it per call."""
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
    except Exception:  # noqa: BLE001 - the server must still start
        log.warning("warm-up incomplete: a search index is not ready yet", exc_info=True)


# Only inside a Sanic worker of the action server: in its manager process, importing torch before Sanic
# picks the "spawn" start method makes Sanic refuse to start; tests importing this package skip it too.
if os.environ.get("SANIC_WORKER_NAME"):
    _warm_up()
