"""Test runs: fast hashing, in-memory messages, an isolated data folder."""

import tempfile
from pathlib import Path

from minsheng.settings.base import *  # noqa: F403
from minsheng.settings.base import DATABASES, MINSHENG, SQLITE_ENGINE

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MINSHENG = {
    **MINSHENG,
    "MESSAGE_BACKEND": "minsheng.core.messaging.MemoryBackend",
    "MODELS_DIR": Path(tempfile.gettempdir()) / "minsheng-test-models",
}
MEDIA_ROOT = Path(tempfile.gettempdir()) / "minsheng-test-media"
MINSHENG = {
    **MINSHENG,
    "EVENT_SIGNING_KEY": str(Path(tempfile.gettempdir()) / "minsheng-test-event-key.pem"),
    "CHECKPOINT_DIR": str(Path(tempfile.gettempdir()) / "minsheng-test-checkpoints"),
}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "fragments": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fragments"},
}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
if DATABASES["default"]["ENGINE"] == SQLITE_ENGINE:
    DATABASES["default"]["TEST"] = {"NAME": ""}  # in-memory for unit tests
# A second database standing in for a read replica (tests/core/test_routers.py); the router uses it
# only where a test turns MINSHENG["READ_REPLICA"] on, and pytest creates it only for tests that ask.
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"NAME": ""}}
if DATABASES["default"]["ENGINE"] != SQLITE_ENGINE:
    _replica = f"{DATABASES['default']['NAME']}_replica"
    DATABASES["replica"] = {**DATABASES["default"], "NAME": _replica, "TEST": {"NAME": f"test_{_replica}"}}

STATIC_ROOT = Path(tempfile.gettempdir()) / "minsheng-test-static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
