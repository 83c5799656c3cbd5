from django.urls import path

from minsheng.insight import views

app_name = "insight"

urlpatterns = [
    path("routing/", views.routing, name="routing"),
    path("routing/train/", views.routing_train, name="routing_train"),
    path("routing/progress/", views.routing_progress, name="routing_progress"),
    path("routing/category/", views.routing_category, name="routing_category"),
    path("hot/", views.hot, name="hot"),
    path("hot/<int:jurisdiction_id>/refresh/", views.hot_refresh, name="hot_refresh"),
    path("hot/<int:jurisdiction_id>/progress/", views.hot_progress, name="hot_progress"),
    path("hot/report/<int:report_id>.docx", views.hot_docx, name="hot_docx"),
    path("hot/report/<int:report_id>/forward/", views.hot_forward, name="hot_forward"),
    path("similar/voices/", views.similar_voices, name="similar_voices"),
    path("similar/motions/", views.similar_motions, name="similar_motions"),
    path("voices/<int:voice_id>/support/", views.voice_support, name="voice_support"),
    path("reply-check/", views.reply_check, name="reply_check"),
]
