"""Rasa custom actions (rasa-sdk). Thin adapters: tracker in, service call, messages and events out.

Served by ``python -m rasa_sdk --actions actions``; every module in this package is registered.
"""

import logging
import warnings

# rasa-sdk 3.21 serves a Rasa 3.6 server correctly (measured) and only warns that the versions differ.
# Silence exactly that warning, not others.
warnings.filterwarnings("ignore", message=".*Rasa SDK.*version.*")
logging.getLogger("rasa_sdk.endpoint").addFilter(
    lambda record: "compatible" not in record.getMessage() or "version" not in record.getMessage()
)
