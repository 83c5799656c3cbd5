"""PostgreSQL: repeated statements are prepared, searches are not (their plan depends on the words)."""

from __future__ import annotations

import pytest
from django.db import connection

from minsheng.core.postgres import search_aware_cursor
from minsheng.voices.models import Voice

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="runs under `make test-postgres`"),
]


def prepared_statements(containing: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", [f"%{containing}%"]
        )
        return int(cursor.fetchone()[0])


def test_repeated_statements_are_prepared_and_searches_are_not():
    connection.ensure_connection()
    assert isinstance(connection.connection.cursor(), search_aware_cursor())
    for _ in range(8):
        list(Voice.objects.filter(status="received").values_list("pk")[:1])
        list(Voice.objects.filter(text__contains="路灯").values_list("pk")[:1])
    assert prepared_statements('"voices_voice"."status" =') >= 1
    assert prepared_statements('"voices_voice"."text"::text LIKE') == 0


def test_a_common_word_s_row_by_row_search_is_prepared_and_a_rare_word_s_is_not():
    from minsheng.core.search import search_condition

    connection.ensure_connection()
    for _ in range(8):
        list(Voice.objects.filter(search_condition(Voice, "路灯", walk=True)).values_list("pk")[:1])
        list(Voice.objects.filter(search_condition(Voice, "路灯", walk=False)).values_list("pk")[:1])
    # The walk's plan is the same for every word (the ordering's index, then each row's entry).
    # (Its condition is kept compiled: the subquery's table has a name of its own, kept_U0.)
    assert prepared_statements('STRPOS(kept_U0."text"') >= 1
    # Collecting candidates through the token index is planned for the words each time.
    assert prepared_statements("LIKE") == 0
