"""Form errors as sentences for the staff screens: each names its field."""


def form_errors(form) -> list[str]:
    return [
        f"{form.fields[name].label}: {error}" if name in form.fields else error
        for name, errors in form.errors.items()
        for error in errors
    ]
