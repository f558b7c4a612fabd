"""The client's address, for the limits that count per address (password reset, sign-in lockout).

Behind a load balancer every request comes from the balancer's address, so a limit per REMOTE_ADDR
would be one limit for the whole country. `TRUSTED_PROXY_COUNT` says how many proxies of ours stand
in front of the portal; each appends the address it received from to X-Forwarded-For, so the client
is the entry that many places from the end. Entries further left were written by the client and
are never believed; with no trusted proxy (the default) the header is ignored altogether.
"""

from django.conf import settings


def client_address(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < proxies:
        return remote  # not (all) through our proxies: the connection's own address
    return forwarded[-proxies]
