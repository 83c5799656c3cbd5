from django.urls import path

from minsheng.deliberation import views

app_name = "deliberation"
urlpatterns = [
    path("", views.topic_list, name="list"),
    path("propose/", views.topic_propose, name="propose"),
    path("receipt/", views.receipt, name="receipt"),
    path("receipt/lookup/", views.lookup, name="lookup"),
    path("<int:pk>/", views.topic_detail, name="detail"),
    path("<int:pk>/join/", views.topic_join, name="join"),
    path("<int:pk>/vote/", views.vote, name="vote"),
    path("<int:pk>/write/", views.statement_write, name="write"),
    path("<int:pk>/map/", views.map_partial, name="map"),
    path("<int:pk>/map.png", views.export_map_png, name="map_png"),
    path("<int:pk>/report/", views.report, name="report"),
    path("<int:pk>/report.docx", views.export_docx, name="docx"),
    path("<int:pk>/votes.csv", views.export_votes, name="votes_csv"),
    path("<int:pk>/comments.csv", views.export_comments, name="comments_csv"),
    path("<int:pk>/manage/", views.manage, name="manage"),
    path("<int:pk>/manage/<slug:action>/", views.manage_act, name="act"),
    path("outcomes/<int:pk>/progress/", views.outcome_progress, name="progress"),
]
