from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Django's forms end every label with gettext(":"), which Django's own zh_Hans catalogue leaves as
# the ASCII colon. Naming the string here puts it in our catalogue, which translates it to the
# full-width colon of Chinese text (our catalogue is searched before Django's).
LABEL_SUFFIX = _(":")


class WebConfig(AppConfig):
    name = "minsheng.web"
    label = "web"
    verbose_name = _("Web")
