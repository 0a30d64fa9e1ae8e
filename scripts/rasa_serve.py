"""Runs ``rasa run`` (in .venv-rasa) with the HTTP API token taken from the environment, never from argv.

It also installs ``rasa_channel.speedups`` (per-turn work Rasa repeats for nothing, done once).

Rasa 3.6 reads its token only from ``--auth-token``, which every user on the machine could read in ``ps``.
``assistant.stack`` starts this script with ``ASSISTANT_RASA_TOKEN`` in the child's environment (readable
only by its owner); the option is added to ``sys.argv`` inside the process, which ``ps`` does not see.
Usage: ``ASSISTANT_RASA_TOKEN=… .venv-rasa/bin/python scripts/rasa_serve.py run --enable-api …``
"""

import os
import sys

from rasa.__main__ import main
from rasa_channel import speedups

if __name__ == "__main__":
    token = os.environ.pop("ASSISTANT_RASA_TOKEN", "")
    if not token:
        sys.exit("ASSISTANT_RASA_TOKEN is not set: refusing to open Rasa's HTTP API without a token")
    speedups.install()
    sys.argv = ["rasa", *sys.argv[1:], "--auth-token", token]
    sys.exit(main())
