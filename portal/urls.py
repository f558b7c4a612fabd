from django.urls import path

from . import views
from .feeds import PublishedMonthsFeed

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.health, name="health"),
    path("xep-hang/", views.rankings, name="rankings"),
    path("don-vi/<str:tree>/<str:code>/", views.unit_detail, name="unit"),
    path("don-vi/<str:tree>/<str:code>/bang-diem/", views.scorecard, name="scorecard"),
    path("so-sanh/", views.compare, name="compare"),
    path("tim-kiem/", views.search, name="search"),
    path("ban-do/", views.unit_map, name="map"),
    path("phuong-phap/", views.methodology, name="methodology"),
    path("mau-xep-loai.css", views.band_styles, name="band-styles"),
    path("du-lieu-mo/", views.open_data, name="open-data"),
    path("du-lieu-mo/openapi.json", views.openapi, name="openapi"),
    path("du-lieu-mo/cac-ky-cong-bo.atom", PublishedMonthsFeed(), name="feed"),
    path("nhung/don-vi/<str:tree>/<str:code>/", views.embed_unit, name="embed-unit"),
    path("nhung/xep-hang/<str:tree>/<str:code>/", views.embed_children, name="embed-children"),
    path("ngon-ngu/<str:code>/", views.language, name="language"),
]
