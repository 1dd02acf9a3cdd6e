"""wachtlijst screens of the Centrale Toegang workplace."""

urlpatterns = []
