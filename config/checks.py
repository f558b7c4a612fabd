"""System checks of the deployment that Django's own do not make."""

import ctypes.util

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def embedded_secret_key(app_configs, **kwargs):
    """`check --deploy` fails while SECRET_KEY is the embedded development key, which is public."""
    if settings.SECRET_KEY == settings.EMBEDDED_SECRET_KEY:
        return [
            checks.Error(
                "SECRET_KEY is the embedded development key, which anyone can read in the source.",
                hint="Set SECRET_KEY in the environment (README, Deploy).",
                id="portal.E001",
            )
        ]
    return []


@checks.register(deploy=True)
def harfbuzz_subset(app_configs, **kwargs):
    """Without HarfBuzz-Subset WeasyPrint subsets fonts with fontTools, which stamps each font with the
    current second: the same dispatch then renders to different bytes a second later."""
    if ctypes.util.find_library("harfbuzz-subset") is None:
        return [
            checks.Warning(
                "HarfBuzz-Subset is not installed: dispatch PDFs are not reproducible byte for byte.",
                hint="apt-get install libharfbuzz-subset0 (the Dockerfile installs it).",
                id="portal.W002",
            )
        ]
    return []
