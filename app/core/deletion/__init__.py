"""Deletion as one feature: ``plan`` (what will go), ``run`` (delete and record), ``reconcile``
(after a crash)."""
