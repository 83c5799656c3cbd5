"""The site's URLs plus one view that fails, to see what a 500 leaves in the log."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("测试：视图出错")


urlpatterns = [path("boom/", boom, name="boom"), path("", include("minsheng.urls"))]
