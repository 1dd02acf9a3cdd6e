"""beschikkingen screens of the toegang workplace."""

urlpatterns = []
