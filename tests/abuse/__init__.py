import ipaddress
import uuid


def client_address() -> str:
    """A client address no other test uses: limits count per address for an hour in a shared database, and a
    pick from a handful could meet one an earlier test ran over its limit. 198.18.0.0/15 is for benchmarks."""
    return str(ipaddress.IPv4Address("198.18.0.0") + uuid.uuid4().int % 2**17)
