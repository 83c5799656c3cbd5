"""Every Simplified Chinese catalogue is complete, and the compiled .mo matches the .po.

The project catalogue is ``src/minsheng/locale``; an app with a ``locale/`` folder of its own keeps its
strings there (see ``make messages``). Both are checked the same way.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.utils import translation

SRC = Path(__file__).resolve().parents[2] / "src/minsheng"
CATALOGUES = sorted(SRC.glob("**/locale/zh_Hans/LC_MESSAGES/django.po"))


def _entries(po: Path) -> list[dict[str, object]]:
    """msgctxt/msgid/msgstr of each entry of the .po (enough of the format for our catalogues)."""
    entries: list[dict[str, object]] = []
    current: dict[str, object] = {}
    key = ""
    for line in po.read_text(encoding="utf-8").splitlines():
        if line.startswith("#,"):
            current["flags"] = line
        elif line.startswith(("msgctxt ", "msgid ", "msgid_plural ", "msgstr ", "msgstr[0] ")):
            key, _, literal = line.partition(" ")
            current[key] = ast.literal_eval(literal)
        elif line.startswith('"') and key:
            current[key] = str(current[key]) + ast.literal_eval(line)
        elif not line.strip() and "msgid" in current:
            entries.append(current)
            current, key = {}, ""
    if "msgid" in current:
        entries.append(current)
    return [e for e in entries if e.get("msgid")]


def test_the_project_catalogue_is_found():
    assert SRC / "locale/zh_Hans/LC_MESSAGES/django.po" in CATALOGUES


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda po: str(po.relative_to(SRC)))
def test_every_message_is_translated_and_none_is_fuzzy(po: Path):
    entries = _entries(po)
    assert len(entries) > 10
    untranslated = [e["msgid"] for e in entries if not (e.get("msgstr") or e.get("msgstr[0]"))]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in str(e.get("flags", ""))]
    assert untranslated == []
    assert fuzzy == []


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda po: str(po.relative_to(SRC)))
def test_compiled_catalogue_matches_the_source(po: Path):
    stale = []
    with translation.override("zh-hans"):
        for entry in _entries(po):
            if "msgid_plural" in entry:
                continue
            context = entry.get("msgctxt")
            msgid = str(entry["msgid"])
            found = translation.pgettext(str(context), msgid) if context else translation.gettext(msgid)
            if found != entry["msgstr"]:
                stale.append(entry["msgid"])
    assert stale == []
