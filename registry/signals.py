from django.dispatch import Signal

# Sent by `load_demo` after the demo record exists (also when it already did), so other apps
# can add what they derive from it (electronic IDs) without the registry depending on them.
demo_loaded = Signal()
