"""SQLite: the FTS index no longer merges its segments inside the insert that fills a level (FTS5's
automerge); the worker merges them (core.upkeep). PostgreSQL: nothing to change."""

from django.db import migrations

AUTOMERGE_OFF = "INSERT INTO core_searchentry_fts(core_searchentry_fts, rank) VALUES ('automerge', 0)"
AUTOMERGE_DEFAULT = "INSERT INTO core_searchentry_fts(core_searchentry_fts, rank) VALUES ('automerge', 4)"


def _on_sqlite(statement):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("core", "0013_similarity_index")]

    operations = [migrations.RunPython(_on_sqlite(AUTOMERGE_OFF), _on_sqlite(AUTOMERGE_DEFAULT))]
