"""aanbieders screens of the inkoop workplace."""

urlpatterns = []
