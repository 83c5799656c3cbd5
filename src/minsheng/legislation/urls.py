from django.urls import URLPattern

app_name = "legislation"
urlpatterns: list[URLPattern] = []
