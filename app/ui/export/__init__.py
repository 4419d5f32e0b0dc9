"""書き出し: Excel/CSV export (options dialog and the export job)."""
