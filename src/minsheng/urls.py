"""Top-level URLs: the public site, sign-in, admin and the JSON API."""

from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from minsheng.api import api

admin.site.site_header = _("Minsheng administration")
admin.site.site_title = _("Minsheng administration")
admin.site.index_title = _("Configuration")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("minsheng.org.urls")),
    path("voices/", include("minsheng.voices.urls")),
    path("motions/", include("minsheng.motions.urls")),
    path("legislation/", include("minsheng.legislation.urls")),
    path("deliberation/", include("minsheng.deliberation.urls")),
    path("", include("minsheng.web.urls")),
]
