from django.urls import path

from minsheng.voices import views

app_name = "voices"
urlpatterns = [
    path("", views.voice_list, name="list"),
    path("new/", views.voice_new, name="new"),
    path("sent/", views.voice_sent, name="sent"),
    path("track/", views.track, name="track"),
    path("track/<int:voice_id>/", views.tracked, name="tracked"),
    path("track/<int:voice_id>/rate/", views.tracked_rate, name="tracked_rate"),
    path("export.xlsx", views.voice_export, name="export"),
    path("enter/", views.voice_enter, name="enter"),
    path("work-orders/", views.work_orders, name="work_orders"),
    path("<int:voice_id>/", views.voice_detail, name="detail"),
    path("<int:voice_id>/files/<int:attachment_id>/", views.attachment_download, name="attachment"),
    path("<int:voice_id>/remind/", views.voice_remind, name="remind"),
    path("<int:voice_id>/<slug:action>/", views.voice_action, name="action"),
    path("reception/", views.reception_list, name="reception"),
    path("reception/new/", views.reception_new, name="reception_new"),
    path("reception/<int:day_id>/", views.reception_day, name="reception_day"),
    path("reception/<int:day_id>/hold/", views.reception_hold, name="reception_hold"),
    path("reception/<int:day_id>/edit/", views.reception_edit, name="reception_edit"),
    path("reception/<int:day_id>/cancel/", views.reception_cancel, name="reception_cancel"),
    path("qr/", views.qr_index, name="qr_index"),
    path("qr/<str:kind>-<int:target_id>.<str:fmt>", views.qr_image, name="qr_image"),
    path("qr/<str:kind>-<int:target_id>/", views.qr_poster, name="qr_poster"),
    path("reports/", views.report_list, name="reports"),
    path("reports/new/", views.report_new, name="report_new"),
    path("reports/<int:report_id>/", views.report_detail, name="report"),
]
