"""Extension points: how a lower layer calls code of a higher one without importing it.

The apps are layers (docs/ARCHITECTURE.md): an app imports only the apps below it. Where a lower
app must make a higher one act (a declaratie accepted in toegang becomes cost lines in
financien) or show what a higher one knows (the inkoop dashboard compares places with
financien's verdeelmodel), the lower app declares a ``Haak`` next to the code that calls it and
the higher app provides the implementation in its ``AppConfig.ready()``.

A hook has one provider. Without one it answers its ``standaard``, or, when ``verplicht``,
refuses: an accepted declaratie must never silently go unbooked.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured


class Haak:
    def __init__(self, naam: str, *, verplicht: bool = False, standaard=None):
        self.naam = naam
        self.verplicht = verplicht
        self.standaard = standaard
        self._functie: Callable | None = None

    def aanbieden(self, functie: Callable) -> Callable:
        """Provide the implementation (once; ``ready()`` may run again with the same one)."""
        if self._functie is not None and self._functie is not functie:
            raise ImproperlyConfigured(f"De haak {self.naam} heeft al een aanbieder.")
        self._functie = functie
        return functie

    def __call__(self, *args, **kwargs):
        if self._functie is None:
            if self.verplicht:
                raise ImproperlyConfigured(f"De haak {self.naam} heeft geen aanbieder.")
            return self.standaard
        return self._functie(*args, **kwargs)

    def __repr__(self):
        return f"<Haak {self.naam}>"
