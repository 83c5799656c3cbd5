"""Reads of the deliberation app: what a user may see, with the rows they need loaded up front."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from minsheng.core.receipts import receipt_code_normalise
from minsheng.deliberation.models import (
    Analysis,
    Meeting,
    Outcome,
    OutcomeProgress,
    Participant,
    Statement,
    StatementStatus,
    Topic,
    TopicStatus,
    Vote,
)
from minsheng.deliberation.rules import PUBLIC_STATUSES, is_admin, staff_memberships
from minsheng.org.models import BodyKind, Membership, Person, Role

GROUP_LETTERS = "ABCDEFGH"


def _topics() -> QuerySet[Topic]:
    return Topic.objects.select_related("body", "jurisdiction")


def topics_visible_to(user: Any) -> QuerySet[Topic]:
    """Public topics for everyone; staff also see those of their places; proposers their own."""
    visible = Q(status__in=PUBLIC_STATUSES)
    if getattr(user, "is_authenticated", False):
        visible |= Q(proposer=user)
        if is_admin(user):
            visible = Q()
        else:
            places: set[int] = set()
            for seat in staff_memberships(user):
                if seat.body is not None:
                    places.add(seat.body.jurisdiction_id)
            if places:
                # A staff seat covers its jurisdiction and every place below it (four levels at most).
                visible |= (
                    Q(jurisdiction__in=places)
                    | Q(jurisdiction__parent__in=places)
                    | Q(jurisdiction__parent__parent__in=places)
                    | Q(jurisdiction__parent__parent__parent__in=places)
                )
    return (
        _topics()
        .filter(visible)
        .annotate(statement_count=Count("statements", distinct=True))
        .order_by("-created_at", "-id")
    )


def topic_detail(user: Any, pk: int) -> Topic | None:
    topic = _topics().select_related("proposer", "audience_sector").filter(pk=pk).first()
    if topic is None or not user.has_perm("deliberation.view_topic", topic):
        return None
    return topic


def participant_for(topic: Topic | int, *, user: Any = None, token: str = "") -> Participant | None:
    """The participant of this topic behind a signed-in user or a participant token."""
    from minsheng.deliberation.services import token_hash

    topic_id = topic if isinstance(topic, int) else topic.pk
    if token:
        found = Participant.objects.filter(
            Participant.live_token(), topic_id=topic_id, token_hash=token_hash(token)
        ).first()
        if found is not None:
            return found
    if user is not None and getattr(user, "is_authenticated", False):
        return Participant.objects.filter(topic_id=topic_id, user=user).first()
    return None


def next_statement(topic: Topic, participant: Participant | None) -> Statement | None:
    """The next published statement this participant has not voted on (seeds first, then oldest)."""
    statements = Statement.objects.filter(topic=topic, status=StatementStatus.PUBLISHED)
    if participant is not None:
        statements = statements.exclude(votes__participant=participant)
    return statements.order_by("-is_seed", "id").first()


@dataclass(frozen=True)
class VotingProgress:
    voted: int
    total: int


def voting_progress(topic: Topic, participant: Participant | None) -> VotingProgress:
    total = Statement.objects.filter(topic=topic, status=StatementStatus.PUBLISHED).count()
    voted = (
        Vote.objects.filter(participant=participant, statement__status=StatementStatus.PUBLISHED).count()
        if participant
        else 0
    )
    return VotingProgress(voted=voted, total=total)


def own_statements(participant: Participant | None) -> list[Statement]:
    if participant is None:
        return []
    return list(Statement.objects.filter(author=participant).order_by("-id")[:20])


def moderation_queue(topic: Topic) -> QuerySet[Statement]:
    """Participants' statements, those awaiting a decision first."""
    return (
        Statement.objects.filter(topic=topic, is_seed=False, external_id="")
        .select_related("author")
        .annotate(pending_first=Q(status=StatementStatus.PENDING))
        .order_by("-pending_first", "-id")
    )


def analysis_latest(topic: Topic) -> Analysis | None:
    return Analysis.objects.filter(topic=topic).order_by("-computed_at", "-id").first()


@dataclass
class StatementLine:
    id: int
    text: str
    direction: str = ""
    share: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def bar_share(self) -> float:
        """The share drawn as a bar: a bridging intercept can fall below 0 or (barely) above 1."""
        return min(max(self.share or 0.0, 0.0), 1.0)


@dataclass
class GroupView:
    index: int
    label: str
    size: int
    representative: list[StatementLine]


@dataclass
class OpinionMap:
    """What the page shows of one stored analysis: the engine's JSON, with the statements' texts."""

    analysis: Analysis
    groups: list[GroupView]
    consensus_agree: list[StatementLine]
    consensus_disagree: list[StatementLine]
    divisive: list[StatementLine]
    bridging: list[StatementLine]
    my_group: int | None
    chart: dict[str, Any]


def _texts(topic: Topic, ids: set[int]) -> dict[int, str]:
    return dict(Statement.objects.filter(topic=topic, pk__in=ids).values_list("pk", "text"))


def group_label(index: int) -> str:
    return GROUP_LETTERS[index] if index < len(GROUP_LETTERS) else str(index + 1)


def opinion_map(
    topic: Topic, participant: Participant | None = None, bridging_shown: int = 10
) -> OpinionMap | None:
    """The latest analysis of a topic, ready for the page (a fixed number of queries)."""
    analysis = analysis_latest(topic)
    if analysis is None:
        return None
    result = analysis.result
    bridging_items = sorted(
        ((int(sid), item) for sid, item in result.get("bridging", {}).items()),
        key=lambda pair: -pair[1]["intercept"],
    )[:bridging_shown]
    ids: set[int] = {int(s) for s in result["consensus"]["agree"] + result["consensus"]["disagree"]}
    ids |= {int(item["statement"]) for group in result["groups"] for item in group["representative"]}
    ids |= {int(item["statement"]) for item in analysis.divisive}
    ids |= {sid for sid, _item in bridging_items}
    texts = _texts(topic, ids)
    groups = [
        GroupView(
            index=group["id"],
            label=group_label(group["id"]),
            size=group["size"],
            representative=[
                StatementLine(
                    id=int(item["statement"]),
                    text=texts.get(int(item["statement"]), ""),
                    direction=item["direction"],
                    share=item["p"],
                )
                for item in group["representative"]
            ],
        )
        for group in result["groups"]
    ]
    my_group = None
    if participant is not None:
        mine = next((p for p in result["participants"] if p["id"] == participant.pk), None)
        my_group = mine["group"] if mine else None
    return OpinionMap(
        analysis=analysis,
        groups=groups,
        consensus_agree=[
            StatementLine(id=int(s), text=texts.get(int(s), "")) for s in result["consensus"]["agree"]
        ],
        consensus_disagree=[
            StatementLine(id=int(s), text=texts.get(int(s), "")) for s in result["consensus"]["disagree"]
        ],
        divisive=[
            StatementLine(
                id=item["statement"],
                text=texts.get(item["statement"], ""),
                extra={"p_agree": [(group_label(g), p) for g, p in enumerate(item["p_agree"])]},
            )
            for item in analysis.divisive
        ],
        bridging=[
            StatementLine(id=sid, text=texts.get(sid, ""), share=item["intercept"], direction=item["status"])
            for sid, item in bridging_items
        ],
        my_group=my_group,
        chart=map_chart_data(result, participant.pk if participant else None),
    )


def map_chart_data(result: dict[str, Any], participant_id: int | None = None) -> dict[str, Any]:
    """The scatter's data, straight from the engine's JSON: one series per group, and "me"."""
    series: dict[int, list[list[float]]] = {}
    me: list[list[float]] = []
    for item in result["participants"]:
        if item["group"] is None:
            continue
        series.setdefault(item["group"], []).append([item["x"], item["y"], item["id"]])
        if participant_id is not None and item["id"] == participant_id:
            me.append([item["x"], item["y"], item["id"]])
    return {
        "groups": [{"label": group_label(g), "points": series[g]} for g in sorted(series)],
        "me": me,
    }


def meetings_of(topic: Topic) -> list[Meeting]:
    return list(
        Meeting.objects.filter(topic=topic).prefetch_related("attendances").order_by("starts_at", "id")
    )


def outcomes_of(topic: Topic) -> list[Outcome]:
    return list(
        Outcome.objects.filter(topic=topic)
        .select_related("unit", "meeting", "topic__jurisdiction__parent")
        .prefetch_related(Prefetch("progress", queryset=OutcomeProgress.objects.select_related("author")))
        .order_by("due", "id")
    )


def public_report_ready(topic: Topic) -> bool:
    return topic.status in (TopicStatus.CLOSED, TopicStatus.CONCLUDED)


def votes_export_rows(topic: Topic) -> QuerySet[Vote]:
    return Vote.objects.filter(topic=topic).order_by("voted_at", "id")


def statements_export(topic: Topic) -> QuerySet[Statement]:
    """Published and moderated-out statements (pending ones were never shown), with vote counts."""
    return (
        Statement.objects.filter(topic=topic)
        .exclude(status=StatementStatus.PENDING)
        .annotate(
            agrees=Count("votes", filter=Q(votes__value=1)),
            disagrees=Count("votes", filter=Q(votes__value=-1)),
        )
        .order_by("id")
    )


def proposal_leads_for(topic: Topic) -> QuerySet[Person]:
    """CPPCC members in office, with an account, of the committee over the topic's place: who can
    take an outcome over as a proposal's lead signer."""
    from django.utils import timezone

    places = [topic.jurisdiction_id, *(j.pk for j in topic.jurisdiction.ancestors())]
    seats = Membership.objects.active_on(timezone.localdate()).filter(
        role=Role.CPPCC_MEMBER,
        body__kind=BodyKind.CPPCC_COMMITTEE,
        body__jurisdiction_id__in=places,
        person__user__is_active=True,
    )
    return Person.objects.filter(pk__in=seats.values("person_id")).order_by("name")


def statement_for_receipt(*, code: str, phone_hash: str) -> Statement | None:
    """A participant's statement by its receipt code, when the number proven matches its author's."""
    normalised = receipt_code_normalise(code)
    if not normalised or not phone_hash:
        return None
    return (
        Statement.objects.filter(receipt_code=normalised, author__phone_hash=phone_hash)
        .select_related("topic")
        .first()
    )


def statement_by_id(statement_id: Any) -> Statement | None:
    """One statement with its topic (the receipt page reads the one this browser just sent)."""
    if not isinstance(statement_id, int):
        return None
    return Statement.objects.select_related("topic").filter(pk=statement_id).first()
