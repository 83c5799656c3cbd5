"""The records endpoints of the JSON API: public records, points with their explanation, my duties.

The public record has counts and published acts only; rankings follow the same rule as the page
(``records.view_rankings``: staff, or everyone once the body publishes them).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from ninja import Router, Schema

from minsheng.apiauth import PUBLIC
from minsheng.core.apitypes import ObjectId
from minsheng.core.errors import NotFoundError
from minsheng.org.models import Body
from minsheng.records import selectors

router = Router(tags=["records"])


class LineOut(Schema):
    kind: str
    label: str
    count: int
    share_below: int | None = None


class BodyRecordOut(Schema):
    body_id: int
    body: str
    level: str
    lines: list[LineOut]


class ActOut(Schema):
    kind: str
    title: str
    at: dt.datetime
    outcome: str
    url: str


class RecordOut(Schema):
    person_id: int
    name: str
    year: int | None
    bodies: list[BodyRecordOut]
    together: list[LineOut]
    acts: list[ActOut]


class PointsLineOut(Schema):
    kind: str
    acts: int
    counted: int
    excluded: int
    over_cap: int
    bonus_acts: int
    points_each: Decimal
    bonus_each: Decimal
    subtotal: Decimal


class RankOut(Schema):
    rank: int
    person_id: int
    name: str
    total: Decimal
    lines: list[PointsLineOut]


class InboxOut(Schema):
    app: str
    kind: str
    title: str
    url: str
    action: str
    due: dt.date | None


def _line(line: selectors.Line) -> LineOut:
    return LineOut(kind=line.kind, label=str(line.label), count=line.count, share_below=line.share_below)


@router.get(
    "/people/{person_id}", response=RecordOut, auth=PUBLIC, summary="A deputy's or member's public record"
)
def record_read(request: HttpRequest, person_id: ObjectId, year: int | None = None) -> RecordOut:
    person = selectors.representative(person_id)
    if person is None:
        raise NotFoundError()
    record = selectors.record_of(person, year=year, public=True)
    return RecordOut(
        person_id=person.pk,
        name=person.name,
        year=year,
        bodies=[
            BodyRecordOut(
                body_id=b.body.pk,
                body=b.body.name,
                level=b.body.jurisdiction.level,
                lines=[_line(x) for x in b.lines],
            )
            for b in record.bodies
        ],
        together=[_line(x) for x in record.together],
        acts=[
            ActOut(kind=str(a["kind"]), title=a["title"], at=a["at"], outcome=str(a["outcome"]), url=a["url"])
            for a in record.entries
        ],
    )


@router.get(
    "/bodies/{body_id}/points", response=list[RankOut], auth=PUBLIC, summary="Points ranking, explained"
)
def points_read(request: HttpRequest, body_id: ObjectId, year: int) -> list[RankOut]:
    body = Body.objects.filter(pk=body_id).first()
    scheme = selectors.scheme_for(body_id, year) if body else None
    if body is None or scheme is None or not request.user.has_perm("records.view_rankings", scheme):
        raise NotFoundError()
    return [
        RankOut(
            rank=row.rank,
            person_id=row.person.pk,
            name=row.person.name,
            total=row.points.total,
            lines=[
                PointsLineOut(
                    kind=x.kind,
                    acts=x.acts,
                    counted=x.counted,
                    excluded=x.excluded,
                    over_cap=x.capped,
                    bonus_acts=x.bonus_acts,
                    points_each=x.points_each,
                    bonus_each=x.bonus_each,
                    subtotal=x.subtotal,
                )
                for x in row.points.lines
            ],
        )
        for row in selectors.rankings(body_id, year)
    ]


@router.get("/mine", response=list[InboxOut], summary="My duties: what waits for me across apps")
def inbox_read(request: HttpRequest) -> list[InboxOut]:
    return [
        InboxOut(app=i.app, kind=str(i.kind), title=i.title, url=i.url, action=str(i.action), due=i.due)
        for i in selectors.inbox_for(request.user)
    ]
