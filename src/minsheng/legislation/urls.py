from django.urls import URLPattern, path

from minsheng.legislation import views

app_name = "legislation"
urlpatterns: list[URLPattern] = [
    path("", views.index, name="index"),
    path("mine/", views.mine, name="mine"),
    path("stats/", views.stats, name="stats"),
    path("receipt/", views.receipt, name="receipt"),
    path("receipt/lookup/", views.lookup, name="lookup"),
    path("new/", views.task_create, name="task_create"),
    path("imports/<int:job_id>/", views.draft_import, name="import"),
    path("imports/<int:job_id>/status/", views.draft_import_status, name="import_status"),
    path("opinions/<int:opinion_id>/letter.docx", views.letter, name="letter"),
    path("<int:task_id>/", views.task_detail, name="task"),
    path("<int:task_id>/comment/", views.comment, name="comment"),
    path("<int:task_id>/diff/", views.diff, name="diff"),
    path("<int:task_id>/manage/", views.manage, name="manage"),
    path("<int:task_id>/action/", views.task_action, name="action"),
    path("<int:task_id>/version/", views.version_add, name="version_add"),
    path("<int:task_id>/meeting/", views.meeting_record, name="meeting"),
    path("<int:task_id>/sort/", views.sort, name="sort"),
    path("<int:task_id>/report.docx", views.report_download, name="report"),
    path("<int:task_id>/entries/<int:entry_id>/", views.entry_update, name="entry"),
    path("<int:task_id>/entries/<int:entry_id>/adoption/", views.adoption, name="adoption"),
    path("<int:task_id>/opinions/<int:opinion_id>/duplicate/", views.duplicate, name="duplicate"),
]
