"""Enterprise needs come through the voices channel, marked by name and checked credit code."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from minsheng.core.errors import ValidationFailedError
from minsheng.oversight.demo import credit_code
from minsheng.voices import services as voices
from minsheng.voices.forms import VoiceSubmitForm
from minsheng.voices.models import Voice, VoiceChannel
from tests.oversight.builders import World

pytestmark = pytest.mark.django_db

CODE = credit_code("91320412MA1NX0306")
NEED = "我公司正在筹备第三条生产线，希望协调解决用电扩容问题。"


def test_a_need_is_marked_and_routed_like_any_voice(world: World):
    voice = voices.voice_create(
        actor=AnonymousUser(),
        channel=VoiceChannel.WEB,
        text=NEED,
        phone="13861100306",
        enterprise_name="常州叁零陆动力部件有限公司",
        credit_code=CODE.lower(),
    )
    assert voice.is_enterprise and voice.credit_code == CODE
    voices.voice_forward(actor=world["staff"], voice=voice, unit=world.unit("区工业和信息化局"))
    client = Client()
    client.force_login(world["staff"])
    page = client.get("/oversight/enterprise/").content.decode()
    assert "常州叁零陆动力部件有限公司" in page and CODE in page
    assert client.get("/api/oversight/enterprise-needs").json()[0]["credit_code"] == CODE


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("常州某公司", CODE[:-1] + ("0" if CODE[-1] != "0" else "1")),
        ("常州某公司", ""),
        ("", CODE),
        ("<b>公司</b>", CODE),
    ],
)
def test_a_wrong_code_or_a_missing_half_saves_nothing(name, code):
    before = Voice.objects.count()
    with pytest.raises(ValidationFailedError):
        voices.voice_create(
            actor=AnonymousUser(),
            channel=VoiceChannel.WEB,
            text=NEED,
            phone="13861100306",
            enterprise_name=name,
            credit_code=code,
        )
    assert Voice.objects.count() == before


def test_the_voice_form_checks_the_code():
    base = {"kind": "help", "text": NEED, "phone": "13861100306"}
    bad = VoiceSubmitForm({**base, "enterprise_name": "常州某公司", "credit_code": "91320412MA1NX03060"})
    assert not bad.is_valid() and "credit_code" in bad.errors
    half = VoiceSubmitForm({**base, "enterprise_name": "常州某公司"})
    assert not half.is_valid() and "credit_code" in half.errors
    good = VoiceSubmitForm({**base, "enterprise_name": "常州某公司", "credit_code": CODE.lower()})
    assert good.is_valid(), good.errors
    assert good.cleaned_data["credit_code"] == CODE
    resident = VoiceSubmitForm(base)
    assert resident.is_valid(), resident.errors
