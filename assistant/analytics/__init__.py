"""Measurement: outcome figures against a baseline, candidate feedback, and journey effects against holdouts."""
