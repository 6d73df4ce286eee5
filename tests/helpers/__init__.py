"""Shared test helpers, imported as `from helpers.<module> import ...` (pytest `pythonpath = ["tests"]`).

Vendor-neutral: what a platform's tests need to know lives in tests/platforms/<platform>/ (lab.yaml, cases).
"""
