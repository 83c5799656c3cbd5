from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightConfig(AppConfig):
    name = "minsheng.insight"
    label = "insight"
    verbose_name = _("Text intelligence")
