"""meldingen screens of the toegang workplace."""

urlpatterns = []
