"""Village money's pages, under the namespace "finance": payment requests (staff), the monthly
disclosures (public) and the power list (public). Each part has its own URL module."""

from django.urls import include, path

from finance import disclosure_urls, payment_urls, power_urls, public_views

app_name = "finance"
urlpatterns = [
    path("finance/payments/<int:pk>/", public_views.payment, name="payment"),
    path("finance/", include(payment_urls.urlpatterns)),
    path("finance/powers/", include(power_urls.urlpatterns)),
    path("disclosure/", include(disclosure_urls.urlpatterns)),
]
