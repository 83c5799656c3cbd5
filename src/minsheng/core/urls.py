"""Operations endpoints: /healthz, /livez, /metrics (mounted at the site root)."""

from django.urls import path

from minsheng.core import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("livez", views.livez, name="livez"),
    path("metrics", views.metrics, name="metrics"),
]
