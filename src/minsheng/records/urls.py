from django.urls import path

from minsheng.records import views

app_name = "records"
urlpatterns = [
    path("", views.search, name="search"),
    path("people/<int:person_id>/", views.profile, name="profile"),
    path("people/<int:person_id>/photo", views.photo, name="photo"),
    path("people/<int:person_id>/photo/upload/", views.photo_upload, name="photo_upload"),
    path("people/<int:person_id>/photo/remove/", views.photo_remove, name="photo_remove"),
    path("mine/", views.my_duties, name="mine"),
    path("staff/", views.staff_home, name="staff"),
    path("bodies/<int:body_id>/", views.body_table, name="body"),
    path("bodies/<int:body_id>/compare/", views.points_compare, name="compare"),
    path("bodies/<int:body_id>/export.xlsx", views.body_export, name="body_export"),
    path("reports/publish/", views.reports_publish, name="reports_publish"),
    path("reports/start/", views.report_start, name="report_start"),
    path("reports/<int:report_id>/", views.report_detail, name="report"),
    path("reports/<int:report_id>/report.docx", views.report_docx, name="report_docx"),
    path("reports/<int:report_id>/<slug:action>/", views.report_act, name="report_act"),
    path("reading/", views.reading, name="reading"),
    path("reading/books/<int:book_id>/note/", views.reading_note, name="reading_note"),
    path("reading/books/<int:book_id>/checkin/", views.reading_checkin, name="reading_checkin"),
    path("reading/groups/<int:group_id>/join/", views.reading_join, name="reading_join"),
]
