from django.urls import path

from minsheng.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("find/", views.find_representatives, name="find"),
    path("me/", views.me, name="me"),
    path("healthz", views.healthz, name="healthz"),
]
