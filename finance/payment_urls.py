"""Staff pages of payment requests, payees and receipts, under /finance/ (namespace "finance")."""

from django.urls import path

from finance import payment_views as views

urlpatterns = [
    path("requests/", views.request_list, name="request-list"),
    path("requests/new/", views.request_new, name="request-new"),
    path("requests/<int:pk>/", views.request_detail, name="request-detail"),
    path("requests/<int:pk>/edit/", views.request_edit, name="request-edit"),
    path("requests/<int:pk>/vouchers/", views.request_voucher, name="request-voucher"),
    path("requests/<int:pk>/submit/", views.request_submit, name="request-submit"),
    path("requests/<int:pk>/withdraw/", views.request_withdraw, name="request-withdraw"),
    path("requests/<int:pk>/approve/", views.request_approve, name="request-approve"),
    path("requests/<int:pk>/refuse/", views.request_refuse, name="request-refuse"),
    path("requests/<int:pk>/revise/", views.request_revise, name="request-revise"),
    path("requests/<int:pk>/pay/", views.request_pay, name="request-pay"),
    path("vouchers/<int:pk>/file/", views.voucher_file, name="voucher-file"),
    path("payees/", views.payee_list, name="payee-list"),
    path("payees/new/", views.payee_new, name="payee-new"),
    path("receipts/new/", views.receipt_new, name="receipt-new"),
]
