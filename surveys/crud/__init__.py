"""Keyword-only create/read/update functions over the tables, one module per area.

They take an open `Session` and never commit: the caller's `session_scope`
decides the transaction, so several calls can succeed or fail together.
"""
