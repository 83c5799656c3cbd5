from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    """Sessions and meetings (DOMAIN.md §8). Not labelled ``sessions``: django.contrib.sessions has it."""

    name = "minsheng.meetings"
    label = "meetings"
    verbose_name = _("Sessions and meetings")
