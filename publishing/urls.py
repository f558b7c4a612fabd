from django.urls import path

from . import views

app_name = "publishing"

urlpatterns = [
    path("", views.publication_list, name="publication-list"),
    path("<int:scope_id>/<str:period_key>/xem-lai/", views.publication_review_view, name="publication-review"),
    path("<int:scope_id>/<str:period_key>/cong-bo/", views.publication_publish_view, name="publication-publish"),
    path("<int:scope_id>/<str:period_key>/go/", views.publication_unpublish_view, name="publication-unpublish"),
]
