"""Loopback imitations of SendGrid and an OpenAI-compatible endpoint (Qt-free)."""
