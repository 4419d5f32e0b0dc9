"""Offline classification of bounce reasons and optional LLM refinement."""
