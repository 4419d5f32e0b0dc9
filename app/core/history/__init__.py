"""What history gives the app (no SQL here): incremental fetch, 再発, trends, monthly report.

Storage lives in app.core.storage.history; docs/history.md lists the calls the window makes.
"""
