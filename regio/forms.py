"""What the forms of every app share."""

from __future__ import annotations

from django.core.exceptions import ValidationError


def fouten_op_formulier(form, fout: ValidationError) -> None:
    """Put a service's ValidationError on ``form``, the one way from a service's refusal to what
    the user sees: each error at its field where the form has that field, every other error
    (and a plain list of errors) above the form. The errors keep their codes."""
    if hasattr(fout, "error_dict"):
        for veld, fouten in fout.error_dict.items():
            form.add_error(veld if veld in form.fields else None, fouten)
    else:
        form.add_error(None, fout.error_list)
