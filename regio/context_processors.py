def notificaties(request):
    """The number of unread in-app notifications, for the header (one query per page)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "ongelezen_notificaties": lambda: user.notificaties.filter(gelezen_op__isnull=True).count()
    }
