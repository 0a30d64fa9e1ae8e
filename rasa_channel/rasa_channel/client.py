"""The client address of a message, put in its metadata as ``client_address`` for the abuse limits.

The address is the connection's peer, unless the peer is a trusted proxy (``ASSISTANT_TRUSTED_PROXIES``: a JSON
list or comma-separated networks; default this machine): then the nearest X-Forwarded-For hop that is not
itself a trusted proxy. Whatever the client put under ``client_address`` is replaced, so it cannot choose its
own bucket. Settings come from the environment (this package cannot import the app's settings: Rasa pins
pydantic 1).
"""

from __future__ import annotations

import ipaddress
import json
import os
from functools import lru_cache
from typing import Any, Dict, Optional, Tuple

METADATA_KEY = "client_address"
DEFAULT_PROXIES = ("127.0.0.1/32", "::1/128")


@lru_cache
def _trusted(raw: str) -> Tuple[Any, ...]:
    raw = raw.strip()
    names = json.loads(raw) if raw.startswith("[") else [part for part in raw.split(",") if part.strip()]
    return tuple(ipaddress.ip_network(name.strip(), strict=False) for name in names)


def trusted_proxies() -> Tuple[Any, ...]:
    return _trusted(os.environ.get("ASSISTANT_TRUSTED_PROXIES") or ",".join(DEFAULT_PROXIES))


def _address(text: str) -> Optional[Any]:
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


def client_address(peer: str, forwarded_for: Optional[str]) -> str:
    """Returns the client address: the peer, or behind trusted proxies the last X-Forwarded-For hop not trusted."""
    proxies = trusted_proxies()

    def trusted(address: Any) -> bool:
        return address is not None and any(address in network for network in proxies)

    address = _address(peer)
    if not trusted(address) or not forwarded_for:
        return str(address) if address is not None else peer
    for hop in reversed(forwarded_for.split(",")):  # each proxy appends the address it saw
        hop_address = _address(hop)
        if hop_address is None:
            break  # a malformed hop: trust nothing further out
        address = hop_address
        if not trusted(address):
            break
    return str(address)


def with_client(metadata: Any, peer: str, forwarded_for: Optional[str]) -> Dict[str, Any]:
    """Returns the message metadata (a dict even when the client sent none) with the client address set."""
    result = dict(metadata) if isinstance(metadata, dict) else {}
    result[METADATA_KEY] = client_address(peer, forwarded_for)
    return result
