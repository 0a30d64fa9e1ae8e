"""Abuse limits shared by every replica (``limits.hit``)."""
