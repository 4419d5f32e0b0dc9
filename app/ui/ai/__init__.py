"""AI refinement of the explanations (optional, after a fetch)."""
