"""werkvoorraad screens of the toegang workplace."""

urlpatterns = []
