"""Shared form parts: browser-native date and time pickers and a multiple-file field.

Browser-native date and time pickers. Their ``value`` must be ISO whatever the page's language:
Django would otherwise render the locale's format (``2026/12/02`` in Chinese), which the browser
discards, so an edit form would come back with its dates empty."""

from __future__ import annotations

from django import forms


def date_picker() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def time_picker() -> forms.TimeInput:
    return forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def datetime_picker() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (a list, maybe empty); the content checks are core.attachments'."""

    def __init__(self, *args: object, accept: str = "", **kwargs: object) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": accept} if accept else {}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def clean(self, data: object, initial: object = None) -> list[object]:
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in files]
