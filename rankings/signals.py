"""Signals of the rankings app."""

from django.dispatch import Signal

# Sent once a period's stored results have been replaced (and committed), with `period_key`.
# The results are written in bulk, without a model signal per row; listeners (the public page
# cache) hear this instead.
results_replaced = Signal()
