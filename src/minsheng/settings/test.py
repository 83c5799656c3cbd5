"""Test runs: fast hashing, in-memory messages, an isolated data folder."""

import tempfile
from pathlib import Path

from minsheng.settings.base import *  # noqa: F403
from minsheng.settings.base import DATABASES, MINSHENG

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MINSHENG = {**MINSHENG, "MESSAGE_BACKEND": "minsheng.core.messaging.MemoryBackend"}
MEDIA_ROOT = Path(tempfile.gettempdir()) / "minsheng-test-media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "fragments": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fragments"},
}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": ""}  # in-memory for unit tests

STATIC_ROOT = Path(tempfile.gettempdir()) / "minsheng-test-static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
