from django.urls import path

from minsheng.motions import views

app_name = "motions"
urlpatterns = [
    path("", views.motion_list, name="list"),
    path("export.xlsx", views.motion_export, name="export"),
    path("new/", views.motion_new, name="new"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("public/", views.public_list, name="public_list"),
    path("public/<int:pk>/", views.public_detail, name="public_detail"),
    path("outcome/<int:voice_id>/rate/", views.voice_outcome_rate, name="voice_outcome_rate"),
    path("<int:pk>/", views.motion_detail_page, name="detail"),
    path("<int:pk>/act/<slug:action>/", views.act, name="act"),
    path("<int:pk>/sign/", views.sign, name="sign"),
    path("<int:pk>/replies/<int:reply_id>/letter.docx", views.reply_letter, name="letter"),
    path("<int:pk>/report.docx", views.handling_report, name="report"),
]
