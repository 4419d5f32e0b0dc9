"""一覧: the date range bar and the grid page (filters, details pane)."""
