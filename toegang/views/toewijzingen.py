"""toewijzingen screens of the toegang workplace."""

urlpatterns = []
