"""Excel and CSV export of suppression entries."""
