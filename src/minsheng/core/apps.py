from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "minsheng.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from minsheng.core.postgres import searches_planned_for_their_words

        connection_created.connect(searches_planned_for_their_words, dispatch_uid="minsheng-search-plans")
