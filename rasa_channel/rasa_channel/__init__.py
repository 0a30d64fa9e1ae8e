"""Rasa input channels of the candidate assistant (imported by the Rasa server only, never by the app)."""
