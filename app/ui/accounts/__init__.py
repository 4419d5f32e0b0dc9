"""アカウント: accounts of every provider, switching between them, and deletion guidance."""
