"""The key the OpenAI imitation accepts in the LLM tests (no real key anywhere)."""

LLM_KEY = "sk-sandbox-test-key-0123456789"
