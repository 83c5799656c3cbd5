"""Shared foundations: base models, the Event log, transitions, calendar, privacy, errors."""
