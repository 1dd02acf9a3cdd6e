"""plaatsing screens of the Centrale Toegang workplace."""

urlpatterns = []
