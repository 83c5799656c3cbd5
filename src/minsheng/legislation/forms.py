"""Forms of legislative consultation: they shape input; services decide."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from minsheng.core.phone_flow import PhoneFields
from minsheng.core.widgets import date_picker
from minsheng.legislation.models import MeetingKind, Outcome
from minsheng.legislation.services import MAX_OPINION_CHARS, MeetingOpinion
from minsheng.org.models import Body


class DraftTextForm(forms.Form):
    text = forms.CharField(
        label=_("Text of the draft"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Paste the text, or upload a .docx, .txt or .md file."),
    )
    upload = forms.FileField(label=_("File of the draft"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("upload") and not (data.get("text") or "").strip():
            raise forms.ValidationError(_("Paste the text of the draft or upload a file."))
        return data


class TaskForm(DraftTextForm):
    contact_point = forms.ModelChoiceField(label=_("Contact point"), queryset=Body.objects.none())
    title = forms.CharField(label=_("Draft title"), max_length=200)
    issuing_body = forms.CharField(label=_("Issuing body"), max_length=200)
    received_on = forms.DateField(label=_("Received on"), widget=date_picker())
    comment_deadline = forms.DateField(
        label=_("Comment deadline"),
        required=False,
        widget=date_picker(),
        help_text=_("Empty: the shortest period the rules allow (30 days for a public draft)."),
    )
    is_public_draft = forms.BooleanField(label=_("Public draft"), required=False, initial=True)
    key_questions = forms.CharField(
        label=_("Key questions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One question per line."),
    )
    field_order = [
        "contact_point",
        "title",
        "issuing_body",
        "received_on",
        "comment_deadline",
        "is_public_draft",
        "key_questions",
        "text",
        "upload",
    ]

    def __init__(self, *args: Any, contact_points: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if contact_points is not None:
            self.fields["contact_point"].queryset = contact_points  # type: ignore[attr-defined]


class OpinionForm(PhoneFields):
    """An opinion; a person without an account proves a mobile number in the same form
    (``core.phone_flow``)."""

    text = forms.CharField(
        label=_("Your opinion"), max_length=MAX_OPINION_CHARS, widget=forms.Textarea(attrs={"rows": 5})
    )
    author_name = forms.CharField(
        label=_("Name or organisation (optional)"),
        max_length=100,
        required=False,
        help_text=_("Shown to the contact point's staff only."),
    )
    article = forms.IntegerField(required=False, widget=forms.HiddenInput)
    paragraph = forms.IntegerField(required=False, min_value=1, max_value=99, widget=forms.HiddenInput)
    item = forms.IntegerField(required=False, min_value=1, max_value=99, widget=forms.HiddenInput)


_ANCHORED = re.compile(r"^(第[零〇一二三四五六七八九十百千两]+条(?:之[一二三四五六七八九十]+)?)[\s：:]*(.*)$")


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=MeetingKind.choices)
    held_on = forms.DateField(label=_("Date"), widget=date_picker())
    place = forms.CharField(label=_("Place"), max_length=200)
    participants = forms.CharField(label=_("Who took part"), max_length=500)
    attendance = forms.IntegerField(label=_("People present"), min_value=1, max_value=10_000)
    opinions = forms.CharField(
        label=_("Opinions heard"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "One opinion per line; start a line with the article (e.g. 第十一条) to attach it there."
        ),
    )

    def heard(self, article_ids: dict[str, int]) -> list[MeetingOpinion]:
        """The opinions, each attached to the article its line starts with (when it exists)."""
        heard = []
        for line in self.cleaned_data["opinions"].splitlines():
            line = line.strip()
            if not line:
                continue
            match = _ANCHORED.match(line)
            if match and match[1] in article_ids and match[2].strip():
                heard.append(MeetingOpinion(text=match[2].strip(), article_id=article_ids[match[1]]))
            else:
                heard.append(MeetingOpinion(text=line))
        return heard


class EntryForm(forms.Form):
    summary = forms.CharField(label=_("Summarised opinion"), widget=forms.Textarea(attrs={"rows": 3}))
    submitted = forms.BooleanField(label=_("Submit in the report"), required=False, initial=True)


class AdoptionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Adoption"), choices=[c for c in Outcome.choices if c[0]], widget=forms.RadioSelect
    )
    final_article = forms.CharField(label=_("Article in the final text"), max_length=64, required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
