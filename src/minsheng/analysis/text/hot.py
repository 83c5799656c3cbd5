"""Hot issues (热点问题): groups of messages about one problem at one place, ranked by heat.

1. Each message becomes two TF-IDF views: character 2–3-grams of the title
   (three times, titles say what the message is about) and the first 500 characters of the body,
   keeping only n-grams found in at most 2 % of the messages (names of estates, roads, companies:
   *where* and *who*); and jieba words found in 2 or more and at most 10 % of the messages (*what*:
   搅拌站, 噪音, 捆绑销售).
2. Two messages are linked when the mean of their two cosines is ≥ ``link`` and each cosine is at
   least 0.03 (they share a name *and* a problem), unless they name two different districts or
   counties (or have different known places).
3. Average-linkage clustering over those links: two groups merge while the mean similarity over all
   their pairs (unlinked pairs count 0) is at least ``merge``. Average linkage does not chain: one
   message that mentions two places does not glue two issues together.
4. Groups whose names share a phrase of 4+ characters (丽发新城小区 / A2区丽发新城附近), whose
   places do not differ and whose messages are alike on average at half the merge level are one
   issue: wording differs more between two people than average linkage allows, the name does not.
5. Heat of a group: distinct people, plus 0.1 for each further message by one of them, times
   (1 + ln(1 + likes) / 3), times a burst factor 1 + 1 / (1 + days spanned / 30) (an issue raised
   by many within a month counts up to twice one spread over a year). A group is an issue only when
   at least ``min_people`` (3) different people wrote: two messages can meet by chance.

The place of an issue is its most named district or county (or known place) with the phrase its
titles share most (丽发新城, 伊景园滨河苑); its title is the title of its most central message.
"""

from __future__ import annotations

import functools
import heapq
import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np

from minsheng.analysis.text.segment import Segmenter, normalize

TITLE_REPEAT = 3
NAME_SHARE = 0.02  # character n-grams in at most this share of the messages: names
WORD_SHARE = 0.1  # words in at most this share: the problem
VIEW_MINIMUM = 0.03  # linked messages share something in both views: a name and a problem
BODY_CHARS = 500
DEFAULT_LINK = 0.08
DEFAULT_MERGE = 0.12
# Anonymised places of the TipDM data: A市 (the city), A3区, K2县. Real places come from the caller
# (the jurisdiction's townships): a pattern for 某某区 would also catch 小区, 片区 and 园区.
_ANONYMISED_PLACE = re.compile(r"(?<![A-Za-z0-9])[A-Z]\d{0,2}[区县市]")
PHRASE_MERGE_MIN = 4  # two groups whose names share this many characters are one issue
MIN_PEOPLE = 3
REPEAT_WEIGHT = 0.1  # one person writing again adds little: one resident posted 40 different requests
_PHRASE_MIN = 3
_PHRASE_MAX = 8
_NOT_WORD = re.compile(r"[^\w]+")
_PHRASE_CHARS = re.compile(r"[\u4e00-\u9fffa-z0-9]+")


@dataclass(frozen=True)
class Message:
    id: str
    title: str
    body: str = ""
    person: str = ""
    at: datetime | None = None
    likes: int = 0
    place: str = ""  # a known place (the record's township), when there is one


@dataclass(frozen=True)
class HotIssue:
    rank: int
    heat: float
    title: str
    place: str
    start: date | None
    end: date | None
    message_ids: list[str] = field(default_factory=list)
    people: int = 0
    likes: int = 0

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of `minsheng text hot`."""
        return {
            "rank": self.rank,
            "heat": self.heat,
            "title": self.title,
            "place": self.place,
            "from": self.start.isoformat() if self.start else None,
            "to": self.end.isoformat() if self.end else None,
            "message_ids": self.message_ids,
        }


def places_named(text: str, known: Sequence[str] = ()) -> Counter[str]:
    """Places named in ``text`` with counts: the ``known`` names found in it, else anonymised ones."""
    found = Counter({name: text.count(name) for name in known if name and name in text})
    return found or Counter(_ANONYMISED_PLACE.findall(text))


def _is_city(place: str) -> bool:
    return place.endswith("市")


def _message_place(message: Message, known: Sequence[str]) -> str:
    """The most specific place a message is about: its record's, else the district or county it names
    most (a city is only the place when nothing smaller is named)."""
    if message.place:
        return message.place
    for text in (message.title, message.body):
        named = places_named(text, known)
        local = Counter({place: n for place, n in named.items() if not _is_city(place)})
        if local:
            return local.most_common(1)[0][0]
    return ""


@dataclass(frozen=True)
class _Views:
    names: Any  # L2-normalised rows: rare character n-grams (where, who)
    words: Any  # L2-normalised rows: words of middling frequency (what)

    def combined(self, rows: Any = None) -> Any:
        """Both views side by side, each weighing half: cosine = mean of the two cosines."""
        from scipy.sparse import hstack

        names = self.names if rows is None else self.names[rows]
        words = self.words if rows is None else self.words[rows]
        return hstack([names, words]).tocsr() * math.sqrt(0.5)


def _views(messages: Sequence[Message], segmenter: Segmenter) -> _Views | None:
    from scipy.sparse import csr_matrix
    from sklearn.feature_extraction.text import TfidfVectorizer

    # Punctuation out: "次。" is not something two messages have in common.
    docs = [
        _NOT_WORD.sub(" ", normalize((m.title + " ") * TITLE_REPEAT + m.body[:BODY_CHARS])) for m in messages
    ]
    word_lists = [
        [w for w in segmenter.words(m.title + " " + m.body[:BODY_CHARS]) if len(w) > 1] for m in messages
    ]
    # Frequency limits as counts, with a floor: in a small batch a name shared by five messages is
    # still a name, not a generic word.
    n = len(messages)
    names = TfidfVectorizer(
        analyzer="char", ngram_range=(2, 3), sublinear_tf=True, max_df=max(int(NAME_SHARE * n), 8)
    )
    words = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, max_df=max(int(WORD_SHARE * n), 8))
    parts = []
    for vectorizer, data in ((names, docs), (words, word_lists)):
        try:
            parts.append(vectorizer.fit_transform(data))
        except ValueError:  # every term too frequent or none at all: this view says nothing
            parts.append(csr_matrix((n, 1)))
    if all(part.nnz == 0 for part in parts):
        return None
    return _Views(names=parts[0], words=parts[1])


def _identity(words: list[str]) -> list[str]:
    return words


def _linked_pairs(views: _Views, places: Sequence[str], link: float) -> dict[tuple[int, int], float]:
    """Pairs alike enough (mean of the two cosines ≥ ``link``) that share a name and a problem
    (each cosine ≥ ``VIEW_MINIMUM``) and do not name two different places."""
    names = (views.names @ views.names.T).tocsr()
    words = (views.words @ views.words.T).tocsr()
    pairs: dict[tuple[int, int], float] = {}
    coo = names.tocoo()
    for i, j, name_score in zip(coo.row, coo.col, coo.data, strict=True):
        if i >= j or name_score < VIEW_MINIMUM:
            continue
        word_score = words[i, j]
        score = (name_score + word_score) / 2
        if (
            word_score >= VIEW_MINIMUM
            and score >= link
            and not (places[i] and places[j] and places[i] != places[j])
        ):
            pairs[(int(i), int(j))] = float(score)
    return pairs


def average_linkage(n: int, pairs: dict[tuple[int, int], float], merge: float) -> list[list[int]]:
    """Groups of 0..n-1 by average linkage over sparse similarities (missing pairs count 0)."""
    totals: dict[int, dict[int, float]] = defaultdict(dict)
    for (i, j), value in pairs.items():
        totals[i][j] = value
        totals[j][i] = value
    size = dict.fromkeys(range(n), 1)
    members = {i: [i] for i in range(n)}
    heap = [(-value, i, j) for (i, j), value in pairs.items()]
    heapq.heapify(heap)
    next_id = n
    while heap:
        negative, a, b = heapq.heappop(heap)
        if a not in members or b not in members:
            continue  # one side was merged since
        mean = totals[a].get(b, 0.0) / (size[a] * size[b])
        if not math.isclose(mean, -negative):
            continue  # a stale entry
        if mean < merge:
            break
        group = next_id
        next_id += 1
        size[group] = size[a] + size[b]
        members[group] = members.pop(a) + members.pop(b)
        combined: dict[int, float] = defaultdict(float)
        for old in (a, b):
            for other, value in totals.pop(old).items():
                totals[other].pop(old, None)
                if other in members and other != group:
                    combined[other] += value
        for other, value in combined.items():
            totals[group][other] = value
            totals[other][group] = value
            heapq.heappush(heap, (-value / (size[group] * size[other]), group, other))
    return [sorted(group) for group in members.values()]


def heat_of(people: int, messages: int, likes: int, days: int) -> float:
    """The heat formula of the module docstring."""
    base = people + REPEAT_WEIGHT * max(messages - people, 0)
    return round(base * (1 + math.log1p(max(likes, 0)) / 3) * (1 + 1 / (1 + days / 30)), 2)


def _phrases(title: str, segmenter: Segmenter) -> set[str]:
    """Runs of 1–4 whole words of ``title`` (places taken out), 3 to 8 characters long."""
    words = segmenter.pieces(_ANONYMISED_PLACE.sub(" ", title))
    found = set()
    for start in range(len(words)):
        for stop in range(start + 1, min(start + 4, len(words)) + 1):
            phrase = "".join(words[start:stop])
            if _PHRASE_MIN <= len(phrase) <= _PHRASE_MAX and _PHRASE_CHARS.fullmatch(phrase):
                found.add(phrase)
    return found


def shared_phrase(
    titles: Sequence[str], all_titles: Sequence[str], segmenter: Segmenter | None = None
) -> str:
    """The longest phrase (whole words, 3–8 characters) in at least half of ``titles`` (and two)
    that is rare among ``all_titles``: a name (伊景园滨河苑, 58车贷), not a problem (噪音扰民)."""
    segmenter = segmenter or _default_segmenter()
    counts: Counter[str] = Counter()
    for title in titles:
        counts.update(_phrases(title, segmenter))
    needed = max(2, math.ceil(len(titles) / 2))
    limit = max(2 * len(titles), len(all_titles) // 50)
    lowered = [t.lower() for t in all_titles]
    for phrase, _ in sorted(counts.items(), key=lambda item: (-len(item[0]), -item[1], item[0])):
        if counts[phrase] >= needed and sum(phrase in t for t in lowered) <= limit:
            return phrase
    return ""


def _merge_by_name(
    groups: list[list[int]], names: list[str], places: Sequence[str], views: _Views, minimum: float
) -> list[list[int]]:
    """Join groups whose names share PHRASE_MERGE_MIN characters, whose places agree and whose
    messages are still alike on average (``minimum``: the same problem, said differently)."""
    parent = list(range(len(groups)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def place_of(group: list[int]) -> str:
        named = Counter(places[i] for i in group if places[i])
        return named.most_common(1)[0][0] if named else ""

    group_places = [place_of(g) for g in groups]
    for a in range(len(groups)):
        for b in range(a + 1, len(groups)):
            if not names[a] or not names[b]:
                continue
            if group_places[a] and group_places[b] and group_places[a] != group_places[b]:
                continue
            if _longest_common(names[a], names[b]) < PHRASE_MERGE_MIN:
                continue
            across = views.combined(groups[a]) @ views.combined(groups[b]).T
            if across.sum() / (len(groups[a]) * len(groups[b])) >= minimum:
                parent[find(a)] = find(b)
    joined: dict[int, list[int]] = {}
    for index, group in enumerate(groups):
        joined.setdefault(find(index), []).extend(group)
    return [sorted(g) for g in joined.values()]


def _longest_common(a: str, b: str) -> int:
    best = 0
    for i in range(len(a)):
        for j in range(i + best + 1, len(a) + 1):
            if a[i:j] in b:
                best = j - i
            else:
                break
    return best


@functools.lru_cache(maxsize=1)
def _default_segmenter() -> Segmenter:
    return Segmenter()


def hot_issues(
    messages: Sequence[Message],
    *,
    top: int | None = 10,
    known_places: Sequence[str] = (),
    segmenter: Segmenter | None = None,
    link: float = DEFAULT_LINK,
    merge: float = DEFAULT_MERGE,
    min_people: int = MIN_PEOPLE,
) -> list[HotIssue]:
    """The hot issues among ``messages``, hottest first (at most ``top``).

    ``known_places``: names of real places (townships) to recognise in the text."""
    if len(messages) < 2:
        return []
    segmenter = segmenter or (Segmenter(known_places) if known_places else _default_segmenter())
    views = _views(messages, segmenter)
    if views is None:
        return []
    places = [_message_place(m, known_places) for m in messages]
    pairs = _linked_pairs(views, places, link)
    groups = [g for g in average_linkage(len(messages), pairs, merge) if len(g) >= 2]
    all_titles = [m.title for m in messages]
    names = [shared_phrase([messages[i].title for i in g], all_titles, segmenter) for g in groups]
    groups = _merge_by_name(groups, names, places, views, merge / 2)
    scored = []
    for group in groups:
        chosen = [messages[i] for i in group]
        people = len({m.person or m.id for m in chosen})
        if people < min_people:
            continue
        likes = sum(max(m.likes, 0) for m in chosen)
        dates = sorted(m.at for m in chosen if m.at is not None)
        days = (dates[-1] - dates[0]).days if dates else 0
        scored.append((heat_of(people, len(chosen), likes, days), group, people, likes, dates))
    scored.sort(key=lambda item: (-item[0], item[1][0]))
    issues = []
    for rank, (heat, group, people, likes, dates) in enumerate(scored[:top] if top else scored, start=1):
        chosen = [messages[i] for i in group]
        block = views.combined(group)
        centrality = np.asarray((block @ block.T).sum(axis=1)).ravel()
        central = chosen[int(np.argmax(centrality))]
        issues.append(
            HotIssue(
                rank=rank,
                heat=heat,
                title=central.title,
                place=_issue_place(chosen, [places[i] for i in group], all_titles, known_places, segmenter),
                start=dates[0].date() if dates else None,
                end=dates[-1].date() if dates else None,
                message_ids=[m.id for m in sorted(chosen, key=lambda m: (m.at or datetime.min, m.id))],
                people=people,
                likes=likes,
            )
        )
    return issues


def _issue_place(
    chosen: Sequence[Message],
    places: Sequence[str],
    all_titles: Sequence[str],
    known: Sequence[str],
    segmenter: Segmenter,
) -> str:
    """The district the messages name (by a third of them at least, and three times as often as any
    other), else the city they name; then the name their titles share."""
    named = Counter(p for p in places if p).most_common(2)
    runner_up = named[1][1] if len(named) > 1 else 0
    if named and named[0][1] * 3 >= len(chosen) and named[0][1] >= 3 * runner_up:
        area = named[0][0]
    else:
        cities = Counter(p for m in chosen for p in places_named(m.title + m.body, known) if _is_city(p))
        area = cities.most_common(1)[0][0] if cities else ""
    phrase = shared_phrase([m.title for m in chosen], all_titles, segmenter)
    return " ".join(part for part in (area, phrase) if part)
