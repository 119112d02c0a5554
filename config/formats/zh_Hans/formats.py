"""Django's zh_Hans formats group no digits; money on public pages reads better as 1,234,567."""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
