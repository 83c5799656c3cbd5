"""Shared form parts: browser-native date and time pickers, a multiple-file field, and the exact key
under which an unbound form's rendered fields can be cached.

Browser-native date and time pickers. Their ``value`` must be ISO whatever the page's language:
Django would otherwise render the locale's format (``2026/12/02`` in Chinese), which the browser
discards, so an edit form would come back with its dates empty."""

from __future__ import annotations

import hashlib

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


def form_fields_key(form: forms.BaseForm) -> str:
    """A digest of everything an *unbound* form's fields render from: the form's class and prefix, and
    per field its kind, label, help text, widget and attributes, initial value and choices. Two forms
    with the same key render the same fields (in one language: put the language beside the key), so
    a page can cache the rendered fields under it (``{% cache %}``) exactly, whatever object the form
    belongs to. Choices from a queryset are read (one query): still far cheaper than rendering them."""
    if form.is_bound:
        raise ValueError("A bound form renders its data and errors: do not cache it.")
    parts: list[object] = [
        type(form).__module__,
        type(form).__qualname__,
        form.prefix,
        form.auto_id,
        form.label_suffix,
        form.use_required_attribute,
    ]
    for name, field in form.fields.items():
        widget = field.widget
        choices = getattr(field, "choices", None)
        parts.append(
            (
                name,
                type(field).__qualname__,
                str(field.label),
                str(field.help_text),
                field.required,
                field.disabled,
                field.localize,
                field.show_hidden_initial,
                type(widget).__qualname__,
                sorted((key, str(value)) for key, value in widget.attrs.items()),
                str(form[name].value()),
                [(str(value), str(label)) for value, label in choices] if choices is not None else None,
            )
        )
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()
