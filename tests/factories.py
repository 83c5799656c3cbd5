"""Small builders for tests that make their own data (factory_boy)."""

from __future__ import annotations

import datetime as dt
import itertools

import factory

from minsheng.org.models import (
    Body,
    BodyKind,
    Constituency,
    Jurisdiction,
    JurisdictionLevel,
    Membership,
    Person,
    Role,
    Term,
    User,
)

_codes = itertools.count(900_000_000)


class JurisdictionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Jurisdiction

    level = JurisdictionLevel.TOWNSHIP
    name = factory.Sequence(lambda n: f"测试镇{n}")
    code = factory.LazyFunction(lambda: str(next(_codes)))


class BodyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Body

    jurisdiction = factory.SubFactory(JurisdictionFactory, level=JurisdictionLevel.DISTRICT)
    kind = BodyKind.CONGRESS
    name = factory.Sequence(lambda n: f"测试区人民代表大会{n}")


class TermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Term

    body = factory.SubFactory(BodyFactory)
    number = 17
    start = dt.date(2021, 12, 28)


class ConstituencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Constituency

    term = factory.SubFactory(TermFactory)
    name = factory.Sequence(lambda n: f"第{n}选区")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"测试人{n}")
    pinyin = factory.Sequence(lambda n: f"ce shi ren {n}")
    pinyin_initials = "csr"
    phone = factory.Sequence(lambda n: f"139{n:08d}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    person = factory.SubFactory(PersonFactory)
    body = factory.SubFactory(BodyFactory)
    role = Role.DEPUTY
    start = dt.date(2021, 12, 28)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def saved(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()


def image_bytes(kind: str = "PNG", *, size: tuple[int, int] = (8, 6), exif: bytes | None = None) -> bytes:
    """A real, tiny image (uploads are decoded and re-encoded, so fake headers no longer pass)."""
    import io

    from PIL import Image

    image = Image.new("RGB", size, (200, 40, 40))
    buffer = io.BytesIO()
    options = {"exif": exif} if exif is not None else {}
    image.save(buffer, format=kind, **options)
    return buffer.getvalue()
