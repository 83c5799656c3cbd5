"""Production and the demo server: a real WSGI server, static files by whitenoise."""

from minsheng.settings import env
from minsheng.settings.base import *  # noqa: F403

DEBUG = False
SESSION_COOKIE_SECURE = env.flag("MINSHENG_HTTPS")
CSRF_COOKIE_SECURE = env.flag("MINSHENG_HTTPS")
