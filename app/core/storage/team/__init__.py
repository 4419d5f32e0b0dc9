"""Team mode: the journal a team shares on PostgreSQL (docs/team-mode.md).

Nothing here is imported at app start-up; psycopg is loaded when a shared store is opened.
"""
