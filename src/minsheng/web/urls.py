from django.urls import path

from minsheng.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("find/", views.find_representatives, name="find"),
    path("me/", views.me, name="me"),
    path("display/", views.display, name="display"),
    path("contact/", views.contact, name="contact"),
    path("privacy/", views.privacy, name="privacy"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("checkpoints/", views.checkpoints, name="checkpoints"),
    path("favicon.ico", views.favicon, name="favicon"),
]
