"""Shared pytest set-up for tests/ and properties/."""
