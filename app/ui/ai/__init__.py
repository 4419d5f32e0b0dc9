"""AI refinement of the explanations (optional, after a fetch)."""

# The explanation cache in the per-user data dir (AI refinement and the fetch history share it).
CACHE_FILE = "explanations.sqlite3"
