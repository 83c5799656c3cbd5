"""Settings shared by every environment."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.translation import gettext_lazy as _

from minsheng.core.logs import logging_config
from minsheng.settings import env

BASE_DIR = Path(__file__).resolve().parents[1]
DATA_DIR = env.data_dir()

SECRET_KEY = env.secret_key()
DEBUG = False
ALLOWED_HOSTS = env.allowed_hosts()

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "django_htmx",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "minsheng.core",
    "minsheng.org",
    "minsheng.voices",
    "minsheng.motions",
    "minsheng.legislation",
    "minsheng.deliberation",
    "minsheng.oversight",
    "minsheng.meetings",
    "minsheng.insight",
    "minsheng.records",
    "minsheng.web",
    "django.forms",  # last: web/templates/django/forms/ overrides Django's widget templates
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "minsheng.core.middleware.RequestIdMiddleware",
    "minsheng.core.middleware.RequestLogMiddleware",
    "minsheng.core.routers.ReplicaPinMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "minsheng.web.errors.DomainErrorMiddleware",
]

ROOT_URLCONF = "minsheng.urls"
# Form widgets render through the project's templates, so that web/ can adjust Django's own (the
# blank choice reads 请选择 instead of "---------"; filters say 全部 themselves).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
WSGI_APPLICATION = "minsheng.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "minsheng.web.context_processors.site",
                "minsheng.web.context_processors.nav",
            ],
        },
    }
]


def _database_from_url(url: str) -> dict[str, Any]:
    """A database from its URL. On PostgreSQL: parameters bound on the server and a query prepared on
    its fifth run on a connection, so that PostgreSQL parses and plans the few dozen queries every page
    repeats once per connection instead of on every request (most of its CPU per page; see
    docs/benchmarks.md)."""
    database: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=60))
    if database["ENGINE"] == "django.db.backends.postgresql" and env.postgres_prepared_statements():
        options: dict[str, Any] = dict(database.get("OPTIONS") or {})
        options.setdefault("server_side_binding", True)
        options.setdefault("prepare_threshold", 5)
        database["OPTIONS"] = options
    return database


# Django's SQLite backend whose writers wait for the write lock without sleeping in steps.
SQLITE_ENGINE = "minsheng.core.sqlite_backend"


def _database() -> dict[str, object]:
    url = env.database_url()
    if url:
        return _database_from_url(url)
    return {
        "ENGINE": SQLITE_ENGINE,
        "NAME": str(DATA_DIR / "minsheng.sqlite3"),
        # Keep each server thread's connection between requests: opening one (schema read, PRAGMAs)
        # and closing it (the last to close writes the WAL back with an fsync) cost more than a vote.
        "CONN_MAX_AGE": 60,
        # WAL lets readers proceed while one writer commits; IMMEDIATE avoids upgrade deadlocks.
        # The worker checkpoints the log every few seconds (core/upkeep.py); a request's commit does
        # it only past 10,000 pages (40 MB), for a site run without a worker.
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                "PRAGMA wal_autocheckpoint=10000;"
            ),
        },
    }


DATABASES = {"default": _database()}
# A read replica (PostgreSQL streaming replica): selectors' reads go there, see core/routers.py.
if env.replica_database_url():
    DATABASES["replica"] = {
        **_database_from_url(env.replica_database_url()),
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["minsheng.core.routers.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "org.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "minsheng.org.auth.UsernameOrPhoneBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "org:login"
LOGIN_REDIRECT_URL = "web:me"
LOGOUT_REDIRECT_URL = "web:home"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

SESSION_COOKIE_HTTPONLY = True
SESSION_ENGINE = "minsheng.core.sessions"  # Django's database sessions, read without the ORM's compiling
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the cookie-free meta tag; keep default access.
CSRF_FAILURE_VIEW = "minsheng.web.errors.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "minsheng_cache",
    },
    # Rendered form fragments (unit lists): per process, so that a page view never writes to the
    # database and fragments never crowd one-time codes and rate-limit counters out of "default".
    "fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "minsheng-fragments",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
}

MINSHENG = {
    "MESSAGE_BACKEND": env.message_backend(),
    # Failed sign-ins allowed per account-or-phone and per client address within the window.
    "LOGIN_MAX_FAILURES": 5,
    "LOGIN_WINDOW_SECONDS": 15 * 60,
    "DIRECTORY_PAGE_SIZE": 20,
    # Send selectors' reads to DATABASES["replica"] (set when MINSHENG_REPLICA_DATABASE_URL is).
    "READ_REPLICA": bool(env.replica_database_url()),
    # Event chain checkpoints (docs/security.md): the signing key file, earlier keys' public halves,
    # and the folder where each signed checkpoint is also written, one file a day, for copying off-site.
    "EVENT_SIGNING_KEY": str(env.event_signing_key()),
    "EVENT_TRUSTED_KEYS": env.event_trusted_keys(),
    "CHECKPOINT_DIR": str(DATA_DIR / "checkpoints"),
    # Text intelligence (minsheng.insight): trained routing models live in the data folder, not git.
    "MODELS_DIR": DATA_DIR / "models",
    "ROUTING_PREFILL_CONFIDENCE": 0.9,  # pre-fill the unit above this confidence (a person confirms)
    "HOT_ISSUE_DAYS": 90,
    "REPLY_MIN_CHARS": 80,
    "REPLY_LATE_WORKING_DAYS": 15,
}

LOGGING = logging_config(env.log_format())
