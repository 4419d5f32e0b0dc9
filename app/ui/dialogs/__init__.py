"""Dialogs no feature owns (error details)."""
