from django.urls import URLPattern

app_name = "voices"
urlpatterns: list[URLPattern] = []
