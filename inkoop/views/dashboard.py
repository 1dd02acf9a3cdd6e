"""dashboard screens of the inkoop workplace."""

urlpatterns = []
