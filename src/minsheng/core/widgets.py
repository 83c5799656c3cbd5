"""Browser-native date and time pickers. Their ``value`` must be ISO whatever the page's language:
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
