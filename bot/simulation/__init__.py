"""Telegram without Telegram: a fake Bot API server and simulated respondents.

Used by the end-to-end tests, `chorus demo` and the benchmark, on machines that cannot reach
Telegram.
"""
