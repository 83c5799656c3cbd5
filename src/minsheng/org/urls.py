from django.urls import path

from minsheng.org import views

app_name = "org"
urlpatterns = [
    path("directory/", views.directory, name="directory"),
    path("people/<int:person_id>/", views.person_profile, name="profile"),
    path("accounts/login/", views.login, name="login"),
    path("accounts/logout/", views.logout, name="logout"),
    path("accounts/reset/", views.password_reset, name="password_reset"),
    path("accounts/reset/confirm/", views.password_reset_confirm, name="password_reset_confirm"),
]
