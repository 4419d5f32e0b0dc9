"""Dialogs: settings, error details."""
