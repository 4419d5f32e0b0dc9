"""Todoku (届く): keep an organisation's SendGrid suppression lists clean, in Japanese."""

__version__ = "0.1.0"
