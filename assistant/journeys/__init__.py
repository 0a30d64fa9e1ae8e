"""Candidate journeys: proactive, rule-based messages from journeys/*.yml (see README "Journeys")."""
