"""The field app's pages for station members and the township office: cases to work."""

from django.http import HttpRequest


def my_work_panel(request: HttpRequest, obj: object = None) -> str:
    return ""
