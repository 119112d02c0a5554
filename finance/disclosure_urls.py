"""The monthly disclosure (三务公开), mounted at /disclosure/ by finance.urls."""

from django.urls import path

from finance import disclosure_views as views
from finance.feeds import VillageFeed

urlpatterns = [
    path("", views.index, name="disclosure-index"),
    path("<str:village_code>/", views.village_months, name="disclosure-list"),
    path("<str:village_code>/feed.atom", VillageFeed(), name="disclosure-feed"),
    path("<str:village_code>/<str:month>/", views.month_detail, name="disclosure"),
    path("<str:village_code>/<str:month>/poster.pdf", views.poster_pdf, name="disclosure-poster"),
    path("<str:village_code>/<str:month>/question/", views.question, name="disclosure-question"),
    path("<str:village_code>/<str:month>/publish/", views.publish, name="disclosure-publish"),
    path("<str:village_code>/<str:month>/amend/", views.amend, name="disclosure-amend"),
]
