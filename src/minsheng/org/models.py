"""The organisational model of DOMAIN.md §1: who sits where, for which term, representing whom."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minsheng.core.models import TimeStampedModel


class JurisdictionLevel(models.TextChoices):
    PROVINCE = "province", _("province")
    CITY = "city", _("city")
    DISTRICT = "district", _("district or county")
    TOWNSHIP = "township", _("township or street")


class Jurisdiction(TimeStampedModel):
    """A node of the administrative tree; every record of the platform belongs to one."""

    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    level = models.CharField(_("level"), max_length=16, choices=JurisdictionLevel.choices)
    name = models.CharField(_("name"), max_length=64)
    code = models.CharField(_("division code"), max_length=12, unique=True)

    class Meta:
        verbose_name = _("jurisdiction")
        verbose_name_plural = _("jurisdictions")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="jurisdiction_unique_name_in_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    def ancestors(self) -> list[Jurisdiction]:
        """From the parent up to the root (a short walk: the tree is four levels deep)."""
        chain: list[Jurisdiction] = []
        node = self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain


class BodyKind(models.TextChoices):
    CONGRESS = "congress", _("people's congress")
    STANDING_COMMITTEE = "standing_committee", _("standing committee")
    WORKING_BODY = "working_body", _("working body")
    SPECIAL_COMMITTEE = "special_committee", _("special committee")
    CPPCC_COMMITTEE = "cppcc_committee", _("CPPCC committee")
    CPPCC_SPECIAL_COMMITTEE = "cppcc_special_committee", _("CPPCC special committee")
    LIAISON_STATION = "liaison_station", _("deputies' liaison station")
    DEPUTIES_HOME = "deputies_home", _("deputies' home")
    LEGISLATIVE_CONTACT_POINT = "legislative_contact_point", _("legislative contact point")
    CONSULTATION_ROOM = "consultation_room", _("consultation room")
    MEMBERS_STUDIO = "members_studio", _("members' studio")


STATION_KINDS = (BodyKind.LIAISON_STATION, BodyKind.DEPUTIES_HOME)
CPPCC_PLACE_KINDS = (BodyKind.MEMBERS_STUDIO, BodyKind.CONSULTATION_ROOM)
PUBLIC_PLACE_KINDS = (*STATION_KINDS, *CPPCC_PLACE_KINDS, BodyKind.LEGISLATIVE_CONTACT_POINT)
# Whose staff handle which work (a staff member's "office"). The standing committee's office and its
# working bodies handle deputies' matters: suggestions, and what residents send to deputies and
# stations. The CPPCC committee and its special committees handle members' matters. Staff of a
# legislative contact point, a consultation room or a members' studio run their own work only.
CONGRESS_OFFICE_KINDS = (BodyKind.STANDING_COMMITTEE, BodyKind.WORKING_BODY)
CPPCC_OFFICE_KINDS = (BodyKind.CPPCC_COMMITTEE, BodyKind.CPPCC_SPECIAL_COMMITTEE)


class Body(TimeStampedModel):
    """A congress, a CPPCC committee, one of their organs, or a place where they meet the public."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="bodies"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=BodyKind.choices)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent body"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organs",
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    office_phone = models.CharField(
        _("office phone"),
        max_length=32,
        blank=True,
        help_text=_("A public office number, never a personal one."),
    )
    reception_schedule = models.CharField(
        _("reception days"),
        max_length=200,
        blank=True,
        help_text=_("For stations, e.g. the first Wednesday of each month."),
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("body")
        verbose_name_plural = _("bodies")
        ordering = ["jurisdiction__code", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "name"], name="body_unique_name_in_jurisdiction"),
        ]
        indexes = [models.Index(fields=["kind", "jurisdiction"], name="body_kind_place_idx")]

    def __str__(self) -> str:
        return self.name


class UnitKind(models.TextChoices):
    GOVERNMENT_DEPARTMENT = "government_department", _("government department")
    COURT = "court", _("court")
    PROCURATORATE = "procuratorate", _("procuratorate")
    SUPERVISORY_COMMISSION = "supervisory_commission", _("supervisory commission")
    TOWNSHIP_GOVERNMENT = "township_government", _("township or street government")


class Unit(TimeStampedModel):
    """A handling unit that must answer voices and motions (一府一委两院 and township governments)."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="units"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=UnitKind.choices)
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("handling unit")
        verbose_name_plural = _("handling units")
        ordering = ["jurisdiction__code", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "name"], name="unit_unique_name_in_jurisdiction"),
        ]

    def __str__(self) -> str:
        return self.name


class Term(TimeStampedModel):
    """A numbered term (届) of a congress or CPPCC committee."""

    body = models.ForeignKey(Body, verbose_name=_("body"), on_delete=models.PROTECT, related_name="terms")
    number = models.PositiveSmallIntegerField(_("number"))
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True)

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["body", "-number"]
        constraints = [models.UniqueConstraint(fields=["body", "number"], name="term_unique_number")]

    def __str__(self) -> str:
        return _("%(body)s, term %(number)s") % {"body": self.body.name, "number": self.number}


class Sector(TimeStampedModel):
    """A sector (界别) of a CPPCC committee."""

    committee = models.ForeignKey(
        Body, verbose_name=_("CPPCC committee"), on_delete=models.PROTECT, related_name="sectors"
    )
    name = models.CharField(_("name"), max_length=64)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        ordering = ["committee", "order", "name"]
        constraints = [models.UniqueConstraint(fields=["committee", "name"], name="sector_unique_name")]

    def __str__(self) -> str:
        return self.name


class Constituency(TimeStampedModel):
    """An electoral district (选区) of a congress term and the places it covers: find-my-deputy."""

    term = models.ForeignKey(
        Term, verbose_name=_("term"), on_delete=models.PROTECT, related_name="constituencies"
    )
    name = models.CharField(_("name"), max_length=100)
    places = models.ManyToManyField(
        Jurisdiction, verbose_name=_("places covered"), related_name="constituencies"
    )

    class Meta:
        verbose_name = _("constituency")
        verbose_name_plural = _("constituencies")
        ordering = ["term", "name"]
        constraints = [models.UniqueConstraint(fields=["term", "name"], name="constituency_unique_name")]

    def __str__(self) -> str:
        return self.name


class Gender(models.TextChoices):
    FEMALE = "F", _("female")
    MALE = "M", _("male")


class Person(TimeStampedModel):
    """A deputy, member, official or resident known to the platform.

    Public fields are shown on profiles; ``phone`` and ``id_number`` are private and masked.
    """

    name = models.CharField(_("name"), max_length=64)
    pinyin = models.CharField(_("pinyin"), max_length=128, blank=True, db_index=True)
    pinyin_initials = models.CharField(_("pinyin initials"), max_length=16, blank=True, db_index=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    ethnicity = models.CharField(_("ethnicity"), max_length=16, blank=True)
    party = models.CharField(_("political affiliation"), max_length=32, blank=True)
    occupation = models.CharField(_("workplace and position"), max_length=128, blank=True)
    bio = models.TextField(_("public profile"), blank=True)
    phone = models.CharField(_("mobile phone (private)"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["pinyin", "id"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A sign-in account; sign in with the username or the mobile number."""

    phone = models.CharField(_("mobile phone"), max_length=11, null=True, blank=True, unique=True)
    person = models.OneToOneField(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="user",
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Role(models.TextChoices):
    DEPUTY = "deputy", _("deputy")
    SC_CHAIR = "sc_chair", _("standing committee chair")
    SC_VICE_CHAIR = "sc_vice_chair", _("standing committee vice-chair")
    SC_MEMBER = "sc_member", _("standing committee member")
    CPPCC_CHAIR = "cppcc_chair", _("CPPCC chair")
    CPPCC_VICE_CHAIR = "cppcc_vice_chair", _("CPPCC vice-chair")
    CPPCC_MEMBER = "cppcc_member", _("CPPCC member")
    STAFF = "staff", _("staff of a body")
    HANDLER = "handler", _("handler in a unit")
    STATION_STAFF = "station_staff", _("station staff")
    ADMIN = "admin", _("administrator")


LEADER_ROLES = (Role.SC_CHAIR, Role.SC_VICE_CHAIR, Role.CPPCC_CHAIR, Role.CPPCC_VICE_CHAIR)
REPRESENTATIVE_ROLES = (Role.DEPUTY, Role.CPPCC_MEMBER)


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active_on(self, day: dt.date) -> MembershipQuerySet:
        """Memberships in force on ``day``: started, and not ended before it."""
        return self.filter(Q(start__lte=day), Q(end__isnull=True) | Q(end__gte=day))


class Membership(TimeStampedModel):
    """A person's seat in a body or unit: the only source of roles. Dated, and scoped by its body/unit."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="memberships"
    )
    body = models.ForeignKey(
        Body,
        verbose_name=_("body"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    title = models.CharField(_("title"), max_length=64, blank=True)
    term = models.ForeignKey(
        Term,
        verbose_name=_("term"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    sector = models.ForeignKey(
        Sector,
        verbose_name=_("sector"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    constituency = models.ForeignKey(
        Constituency,
        verbose_name=_("constituency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["person", "start"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(body__isnull=False) & Q(unit__isnull=True))
                | (Q(body__isnull=True) & Q(unit__isnull=False)),
                name="membership_in_exactly_one_body_or_unit",
                violation_error_message=_("A membership belongs to exactly one body or one unit."),
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="membership_ends_after_start",
                violation_error_message=_("A membership cannot end before it starts."),
            ),
        ]
        indexes = [models.Index(fields=["role", "body"], name="membership_role_body_idx")]

    def __str__(self) -> str:
        place = self.body or self.unit
        return f"{self.person} · {self.get_role_display()} · {place}"

    @property
    def jurisdiction(self) -> Jurisdiction:
        """The scope of the role: the jurisdiction of its body or unit."""
        place = self.body if self.body_id else self.unit
        assert place is not None
        return place.jurisdiction

    def is_active_on(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or self.end >= day)


class ApiToken(TimeStampedModel):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=64)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return self.name
