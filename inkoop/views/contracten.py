"""contracten screens of the inkoop workplace."""

urlpatterns = []
