"""Settings, secrets and the local SQLite store."""
