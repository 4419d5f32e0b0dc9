"""Fixtures for core tests: a real SendGrid sandbox on loopback, per test."""

from tests.helpers.core_sandbox import make_sandbox  # noqa: F401  (a fixture)
