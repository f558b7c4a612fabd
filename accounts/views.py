"""Password reset with rate limits: per client address, and per account (so one mailbox cannot be flooded)."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _
from django_ratelimit.core import is_ratelimited


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset view. Past PASSWORD_RESET_RATE_IP requests from one address the form answers 429;
    past PASSWORD_RESET_RATE_ACCOUNT e-mails to one address no more are sent, and the answer is the
    usual "sent" page, so that nobody learns from it whether the account exists."""

    def post(self, request, *args, **kwargs):
        if is_ratelimited(
            request, group="password-reset-ip", key="ip", rate=settings.PASSWORD_RESET_RATE_IP, increment=True
        ):
            form = self.get_form()
            form.is_valid()
            form.add_error(None, _("Quá nhiều yêu cầu đặt lại mật khẩu từ địa chỉ này. Vui lòng thử lại sau một giờ."))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        email = form.cleaned_data["email"].strip().casefold()
        if is_ratelimited(
            self.request,
            group="password-reset-account",
            key=lambda _group, _request: email,
            rate=settings.PASSWORD_RESET_RATE_ACCOUNT,
            increment=True,
        ):
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)
