# Search by substring: the folded text beside the tokens; on PostgreSQL a GIN index over the token
# array replaces the trigram index (trigrams cannot find one- and two-character words).
#
# On SQLite, adding a column rebuilds the table, which drops its triggers: the FTS5 triggers of
# migration 0005 are created again and the index rebuilt. Any later migration that rebuilds
# core_searchentry must do the same.

from django.db import migrations, models

# The expression must be written the same way in core.search.TokensContain to use the index.
POSTGRES_TOKENS_INDEX = (
    "CREATE INDEX core_searchentry_tokens_gin ON core_searchentry USING gin ((string_to_array(tokens, ' ')))"
)
POSTGRES_FORWARD = ["DROP INDEX IF EXISTS core_searchentry_tokens_trgm", POSTGRES_TOKENS_INDEX]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS core_searchentry_tokens_gin",
    "CREATE INDEX IF NOT EXISTS core_searchentry_tokens_trgm ON core_searchentry USING gin (tokens gin_trgm_ops)",
]


SQLITE_FORWARD = [
    "DROP TRIGGER IF EXISTS core_searchentry_ai",
    "DROP TRIGGER IF EXISTS core_searchentry_ad",
    "DROP TRIGGER IF EXISTS core_searchentry_au",
    "CREATE TRIGGER core_searchentry_ai AFTER INSERT ON core_searchentry BEGIN "
    "INSERT INTO core_searchentry_fts(rowid, tokens) VALUES (new.id, new.tokens); END",
    "CREATE TRIGGER core_searchentry_ad AFTER DELETE ON core_searchentry BEGIN "
    "INSERT INTO core_searchentry_fts(core_searchentry_fts, rowid, tokens) VALUES ('delete', old.id, old.tokens); END",
    "CREATE TRIGGER core_searchentry_au AFTER UPDATE OF tokens ON core_searchentry BEGIN "
    "INSERT INTO core_searchentry_fts(core_searchentry_fts, rowid, tokens) VALUES ('delete', old.id, old.tokens); "
    "INSERT INTO core_searchentry_fts(rowid, tokens) VALUES (new.id, new.tokens); END",
    "INSERT INTO core_searchentry_fts(core_searchentry_fts) VALUES ('rebuild')",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0011_holiday_schedules"),
    ]

    operations = [
        # Undoing the AddField rebuilds the table again: the triggers are then created once more.
        migrations.RunPython(migrations.RunPython.noop, _run({"sqlite": SQLITE_FORWARD})),
        migrations.AddField(
            model_name="searchentry",
            name="text",
            field=models.TextField(blank=True, default="", verbose_name="searchable text"),
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"postgresql": POSTGRES_BACKWARD}),
        ),
    ]
