"""Top-level URLs: the public site, sign-in, admin and the JSON API."""

from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from minsheng.api import api

admin.site.site_header = _("Minsheng administration")
admin.site.site_title = _("Minsheng administration")
admin.site.index_title = _("Configuration")

urlpatterns = [
    path("", include("minsheng.core.urls")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("minsheng.org.urls")),
    path("voices/", include("minsheng.voices.urls")),
    path("motions/", include("minsheng.motions.urls")),
    path("legislation/", include("minsheng.legislation.urls")),
    path("deliberation/", include("minsheng.deliberation.urls")),
    path("oversight/", include("minsheng.oversight.urls")),
    path("meetings/", include("minsheng.meetings.urls")),
    path("insight/", include("minsheng.insight.urls")),
    path("records/", include("minsheng.records.urls")),
    path("", include("minsheng.web.urls")),
]

# Error pages in the user's language and the site's layout (JSON under /api/): minsheng.web.errors.
handler400 = "minsheng.web.errors.bad_request"
handler403 = "minsheng.web.errors.permission_denied"
handler404 = "minsheng.web.errors.page_not_found"
handler500 = "minsheng.web.errors.server_error"
