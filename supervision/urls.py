from supervision import field_urls, public_urls

app_name = "supervision"
urlpatterns = [*public_urls.urlpatterns, *field_urls.urlpatterns]
