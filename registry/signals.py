from django.dispatch import Signal

# Sent by `load_demo` right after it has loaded the demo record, so other apps can add what
# they derive from it (electronic IDs) without the registry depending on them.
demo_loaded = Signal()
