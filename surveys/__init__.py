"""The core of chorus: survey definitions, the pure conversation engine and storage.

Nothing here knows about Telegram; `bot/` adapts this package to a channel and
`analysis/` reads what it stores.
"""
