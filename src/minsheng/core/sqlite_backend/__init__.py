"""Django's SQLite backend with writers that queue without sleeping (see base.py)."""
