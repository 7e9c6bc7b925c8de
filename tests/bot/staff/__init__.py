"""Tests of staff in the chat (bot/staff). A package so its module names stay its own."""
