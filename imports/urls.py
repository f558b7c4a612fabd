from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [
    path("", views.batch_list, name="batch-list"),
    path("tai-len/", views.batch_create_view, name="batch-create"),
    path("cong-dvcqg/", views.national_fetch_view, name="national-fetch"),
    path("cong-dvcqg/tu-dong/", views.national_watch_view, name="national-watch"),
    path("mau/", views.template_download, name="template-download"),
    path("<int:pk>/ghep-cot/", views.batch_map, name="batch-map"),
    path("<int:pk>/don-vi/", views.batch_resolve, name="batch-resolve"),
    path("<int:pk>/xem-truoc/", views.batch_preview_view, name="batch-preview"),
    path("<int:pk>/don-vi-thieu/", views.batch_missing, name="batch-missing"),
    path("<int:pk>/ghi/", views.batch_apply, name="batch-apply"),
    path("<int:pk>/trang-thai/", views.batch_status, name="batch-status"),
    path("lich-su/<int:pk>/hoan-tac/", views.revision_revert_view, name="revision-revert"),
    path("lich-su/<int:scope_id>/<str:period_key>/", views.revision_list, name="revision-list"),
]
