"""When and how a conversation goes to a human: reasons, priorities, business hours, the handoff message."""
