"""Near-duplicate records (并案 candidates, "is this already reported?"), kept up to date by services.

Services call ``similarity_index(obj, text)`` whenever a record's text changes (as they call
``search_index``); ``similar_records`` then answers "which records of this type say nearly the same
thing", by MinHash LSH (``analysis.text.neardup``): the text's 32 band keys are looked up in
``SimilarityBand``, the candidates' signatures compared, and the best returned with their estimated
character-3-gram Jaccard. Which of them the user may see, and whether they are still open, is the
caller's selector's business.
"""

from __future__ import annotations

import functools

import numpy as np
from django.contrib.contenttypes.models import ContentType
from django.db import connections, models, router, transaction

from minsheng.analysis.text.neardup import DEFAULT_THRESHOLD, ESTIMATE_SLACK, MinHasher
from minsheng.core.models import SimilarityBand, SimilarityEntry

MAX_CANDIDATES = 2000  # a text sharing a band with more records than this is boilerplate, not news


@functools.lru_cache(maxsize=1)
def hasher() -> MinHasher:
    return MinHasher()


def _signature_bytes(text: str) -> tuple[bytes, list[int]]:
    signature = hasher().signature(text)
    return signature.astype("<u4").tobytes(), [int(k) for k in hasher().band_keys(signature)]


def similarity_index(obj: models.Model, text: str, *, created: bool = False) -> None:
    """Create or replace the signature of ``obj`` (call from the service that changed its text).
    ``created``: ``obj`` was created in this transaction, so it has no signature yet (inserts only)."""
    content_type = ContentType.objects.get_for_model(obj)
    signature, keys = _signature_bytes(text)
    # No savepoint: the callers are services whose own transaction fails as a whole on an error.
    with transaction.atomic(savepoint=False):
        if created:
            entry = SimilarityEntry.objects.create(
                content_type=content_type, object_id=obj.pk, signature=signature
            )
        else:
            entry, created = SimilarityEntry.objects.get_or_create(
                content_type=content_type, object_id=obj.pk, defaults={"signature": signature}
            )
        if not created:
            if bytes(entry.signature) == signature:
                return
            entry.signature = signature
            entry.save(update_fields=["signature", "updated_at"])
            entry.bands.all().delete()
        _bands_insert(entry.pk, keys)


def _bands_insert(entry_id: int, keys: list[int]) -> None:
    """The entry's 32 band keys in one INSERT written as SQL: ``bulk_create`` made and compiled a model
    object per key, about a tenth of every submission's time. The integers are written into the
    statement: as 64 parameters, psycopg parsed the statement anew each time (it keeps the parse of a
    statement with at most 50)."""
    if not keys:
        return
    connection = connections[router.db_for_write(SimilarityBand)]
    quote = connection.ops.quote_name
    table = quote(SimilarityBand._meta.db_table)
    entry_column = quote(str(SimilarityBand._meta.get_field("entry").column))
    key_column = quote(str(SimilarityBand._meta.get_field("key").column))
    entry = int(entry_id)
    rows = ", ".join(f"({entry}, {int(key)})" for key in keys)  # int(): only digits reach the SQL
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({entry_column}, {key_column}) VALUES {rows}")  # noqa: S608


def similarity_remove(obj: models.Model) -> None:
    SimilarityEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    ).delete()


def _ranked(
    content_type: ContentType,
    query: np.ndarray,
    *,
    threshold: float,
    limit: int,
    exclude_id: int | None,
) -> list[tuple[int, float]]:
    keys = [int(k) for k in hasher().band_keys(query)]
    entry_ids = SimilarityBand.objects.filter(key__in=keys).values("entry_id")
    candidates = SimilarityEntry.objects.filter(id__in=entry_ids, content_type=content_type)
    if exclude_id is not None:
        candidates = candidates.exclude(object_id=exclude_id)
    rows = list(candidates.values_list("object_id", "signature")[:MAX_CANDIDATES])
    if not rows:
        return []
    signatures = np.frombuffer(b"".join(bytes(s) for _, s in rows), dtype="<u4").reshape(len(rows), -1)
    scores = (signatures == query[None, :]).mean(axis=1)
    ranked = sorted(
        (
            (int(object_id), round(float(score), 4))
            for (object_id, _), score in zip(rows, scores, strict=True)
        ),
        key=lambda pair: (-pair[1], -pair[0]),
    )
    return [pair for pair in ranked if pair[1] >= threshold - ESTIMATE_SLACK][:limit]


def similar_records(
    model: type[models.Model],
    text: str,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    limit: int = 10,
    exclude_id: int | None = None,
) -> list[tuple[int, float]]:
    """(object id, estimated Jaccard) of ``model`` records whose text is nearly ``text``, best first
    (newer first among equals). Candidates a little below ``threshold`` are kept: the estimate from
    96 values is within about 0.05 of the exact figure."""
    if not text.strip():
        return []
    content_type = ContentType.objects.get_for_model(model)
    return _ranked(
        content_type, hasher().signature(text), threshold=threshold, limit=limit, exclude_id=exclude_id
    )


def similar_to_record(
    obj: models.Model, *, threshold: float = DEFAULT_THRESHOLD, limit: int = 10
) -> list[tuple[int, float]]:
    """Records of the same type nearly like ``obj`` (by its stored signature), itself left out."""
    content_type = ContentType.objects.get_for_model(obj)
    entry = SimilarityEntry.objects.filter(content_type=content_type, object_id=obj.pk).first()
    if entry is None:
        return []
    query = np.frombuffer(bytes(entry.signature), dtype="<u4")
    return _ranked(content_type, query, threshold=threshold, limit=limit, exclude_id=obj.pk)
