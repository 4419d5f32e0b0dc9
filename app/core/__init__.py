"""Qt-free domain, providers, classification, export and storage."""
