"""Quality of whole conversations: golden conversations, evaluation cases and intent confusion."""
