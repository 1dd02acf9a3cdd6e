"""rapportages screens of the inkoop workplace."""

urlpatterns = []
