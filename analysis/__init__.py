"""Reads stored answers into pandas and writes the facilitator packet and tables."""
