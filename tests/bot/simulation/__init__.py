"""Tests of the fake Bot API and the simulated respondents.

A package so its module names (test_respondents) do not collide with tests elsewhere.
"""
