"""Safeguarding alerts in Telegram: the lead's message, its buttons, escalation, `/alerts`.

The rules that must hold whatever the channel (first acknowledgement wins, one
escalation, organizations apart) live in `surveys/crud/alerts.py`; this package
says them in the staff members' chats, always through the outbox at
`OutboxPriority.ALERT`, in the transaction that decided them. See
docs/safeguarding.md.
"""
