"""Local development: DEBUG on, messages to the log."""

from minsheng.settings.base import *  # noqa: F403

DEBUG = True
