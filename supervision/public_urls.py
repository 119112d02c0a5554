"""The public pages: reports, receipts, stations, cases."""

from django.urls import path

from supervision import views

urlpatterns = [
    path("e/<str:code>/report/", views.report_subject, name="report-subject"),
    path("supervision/", views.index, name="index"),
    path("supervision/report/", views.report, name="report"),
    path("supervision/receipt/", views.receipt, name="receipt"),
    path("supervision/stations/<str:village_code>/", views.station_detail, name="station-detail"),
    path("supervision/cases/", views.case_list, name="case-list"),
    path("supervision/cases.csv", views.case_download, {"fmt": "csv"}, name="case-csv"),
    path("supervision/cases.xlsx", views.case_download, {"fmt": "xlsx"}, name="case-xlsx"),
    path("supervision/cases/<int:pk>/", views.case_detail, name="case-detail"),
]
