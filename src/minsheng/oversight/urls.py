from django.urls import path

from minsheng.oversight import views

app_name = "oversight"
urlpatterns = [
    path("", views.index, name="index"),
    path("plans/new/", views.plan_new, name="plan_new"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/publish/", views.plan_publish, name="plan_publish"),
    path("activities/new/", views.activity_new, name="activity_new"),
    path("activities/<int:pk>/", views.activity_detail, name="activity"),
    path("activities/<int:pk>/act/<slug:action>/", views.activity_act, name="activity_act"),
    path("activities/<int:pk>/files/<int:attachment_id>/", views.activity_file, name="activity_file"),
    path("visits/<int:pk>/photos/<int:attachment_id>/", views.visit_photo, name="visit_photo"),
    path("items/", views.item_list, name="items"),
    path("items/export.xlsx", views.item_export, name="items_export"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("items/<int:pk>/act/<slug:action>/", views.item_act, name="item_act"),
    path("reports/<int:pk>/files/<int:attachment_id>/", views.report_file, name="report_file"),
    path("projects/", views.project_list, name="projects"),
    path("projects/new/", views.project_new, name="project_new"),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("projects/<int:pk>/act/<slug:action>/", views.project_act, name="project_act"),
    path("progress/<int:pk>/photos/<int:attachment_id>/", views.progress_photo, name="progress_photo"),
    path("platforms/new/", views.platform_new, name="platform_new"),
    path("ballots/<int:pk>/", views.ballot_detail, name="ballot"),
    path("ballots/<int:pk>/vote/", views.ballot_vote, name="ballot_vote"),
    path("ballots/<int:pk>/close/", views.ballot_close, name="ballot_close"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("budget/", views.budget_index, name="budget_index"),
    path("budget/<int:pk>/", views.budget_detail, name="budget"),
    path("budget/<int:pk>/question/", views.budget_question, name="budget_question"),
    path("enterprise/", views.enterprise_needs, name="enterprise"),
    path("public/", views.public_index, name="public"),
    path("public/activities/<int:pk>/", views.public_activity, name="public_activity"),
    path("public/projects/<int:pk>/", views.public_project, name="public_project"),
]
