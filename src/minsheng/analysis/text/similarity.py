"""Baseline text similarity for Chinese: TF-IDF over character bigrams (and single characters), cosine.

Character n-grams need no segmentation dictionary and match inside longer words (垃圾 in 垃圾分类),
which is what a "similar earlier items" hint needs. Pure functions, no Django.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer

DEFAULT_MIN_SCORE = 0.2


def _vectorizer() -> TfidfVectorizer:
    # Imported here: scikit-learn takes seconds to import, and most pages never need it.
    from sklearn.feature_extraction.text import TfidfVectorizer

    # Whitespace and punctuation do not carry meaning here; the char analyzer keeps bigrams across them,
    # which is harmless. sublinear_tf stops a long text from winning by repetition.
    return TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True, min_df=1)


def similar_texts(
    query: str, corpus: Sequence[str], *, top_k: int = 5, min_score: float = DEFAULT_MIN_SCORE
) -> list[tuple[int, float]]:
    """Indices into ``corpus`` of the texts most like ``query``, best first, with their cosine score.

    Scores are in [0, 1]; texts scoring below ``min_score`` are left out.
    """
    query = query.strip()
    if not query or not corpus or top_k <= 0:
        return []
    vectorizer = _vectorizer()
    try:
        matrix = vectorizer.fit_transform([query, *corpus])
    except ValueError:  # empty vocabulary: nothing to compare
        return []
    scores = (matrix[0:1] @ matrix[1:].T).toarray().ravel()  # rows are L2-normalised: dot = cosine
    ranked = sorted(
        ((index, float(score)) for index, score in enumerate(scores) if score >= min_score),
        key=lambda pair: (-pair[1], pair[0]),
    )
    return [(index, round(score, 4)) for index, score in ranked[:top_k]]


def pairwise_similar(texts: Sequence[str], *, min_score: float = 0.5) -> list[tuple[int, int, float]]:
    """Pairs (i, j, score) with i < j whose texts are at least ``min_score`` alike (merge candidates)."""
    if len(texts) < 2:
        return []
    try:
        matrix = _vectorizer().fit_transform(list(texts))
    except ValueError:
        return []
    scores = (matrix @ matrix.T).toarray()
    pairs = [
        (i, j, round(float(scores[i, j]), 4))
        for i in range(len(texts))
        for j in range(i + 1, len(texts))
        if scores[i, j] >= min_score
    ]
    return sorted(pairs, key=lambda p: -p[2])
