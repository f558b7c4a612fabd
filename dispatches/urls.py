from django.urls import path, register_converter

from . import views


class MonthConverter:
    regex = r"\d{4}-\d{2}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(MonthConverter, "month")

app_name = "dispatches"

urlpatterns = [
    path("", views.dispatch_list, name="dispatch-list"),
    path("moi/", views.dispatch_new, name="dispatch-new"),
    path("<int:pk>/", views.dispatch_edit, name="dispatch-edit"),
    path("<int:pk>/xem-truoc/", views.dispatch_preview, name="dispatch-preview"),
    path("<int:pk>/chot/", views.dispatch_finalise, name="dispatch-finalise"),
    path("<int:pk>/mo-lai/", views.dispatch_reopen_view, name="dispatch-reopen"),
    path("<int:pk>/tao-pdf/", views.dispatch_render_view, name="dispatch-render"),
    path("<int:pk>/trang-thai/", views.dispatch_status, name="dispatch-status"),
    path("<int:pk>/pdf/", views.dispatch_download, name="dispatch-download"),
    path("<int:pk>/cong-khai/", views.dispatch_publish_view, name="dispatch-publish"),
    path("<int:pk>/tao-lai/", views.dispatch_regenerate_view, name="dispatch-regenerate"),
    path("<int:pk>/ban-ky-so/", views.dispatch_attach_view, name="dispatch-attach"),
    path("can-cu/", views.upstream_list, name="upstream-list"),
    path("can-cu/<int:pk>/xoa/", views.upstream_delete, name="upstream-delete"),
    path("cong-khai/", views.public_list, name="public-list"),
    path("cong-khai/<str:unit_code>/<month:period>.pdf", views.public_pdf, name="public-pdf"),
]
