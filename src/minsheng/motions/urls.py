from django.urls import URLPattern

app_name = "motions"
urlpatterns: list[URLPattern] = []
