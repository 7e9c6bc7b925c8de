"""Safeguarding alerts in the chat: what the designated adults see and do."""
