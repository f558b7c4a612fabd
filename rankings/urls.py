"""API routes, included under /api/v1/."""

from django.urls import path

from . import api

app_name = "api"

urlpatterns = [
    path("rankings/", api.rankings_list, name="ranking-list"),
    path("units/", api.units_list, name="unit-list"),
]
