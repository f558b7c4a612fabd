"""Top-level URL map: the public portal, the staff area (admin) and the API."""

from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from accounts.views import PasswordResetView

admin.site.site_header = _("Quản trị Cổng công khai Bộ chỉ số phục vụ người dân, doanh nghiệp")
admin.site.site_title = _("Quản trị Bộ chỉ số 766")
admin.site.index_title = _("Quản lý dữ liệu")

# Vietnamese error pages with a way forward; JSON under /api/ (portal/views/errors.py).
handler400 = "portal.views.errors.bad_request"
handler403 = "portal.views.errors.permission_denied"
handler404 = "portal.views.errors.page_not_found"
handler500 = "portal.views.errors.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # Django's account views, the password reset with rate limits.
    path("tai-khoan/password_reset/", PasswordResetView.as_view(), name="password_reset"),
    path("tai-khoan/", include("django.contrib.auth.urls")),
    path("api/v1/", include("rankings.urls")),
    path("cong-van/", include("dispatches.urls")),
    path("nhap-lieu/", include("imports.urls")),
    path("cong-bo/", include("publishing.urls")),
    path("", include("portal.urls")),
]

# Vietnamese error pages that need no database; a database outage answers 503 with Retry-After.
handler400 = "portal.views.errors.bad_request"
handler404 = "portal.views.errors.page_not_found"
handler500 = "portal.views.errors.server_error"
