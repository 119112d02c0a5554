from django.dispatch import Signal

# Sent by `load_demo` right after it has loaded the demo record, so other apps can add what
# they derive from it (electronic IDs) without the registry depending on them.
demo_loaded = Signal()

# Sent by `load_demo` with `projects`, a list of (project, date) pairs: projects whose works are
# under way and need a site inspection from the field app on that date before they can go on
# to acceptance. The registry cannot record inspections itself (the field app owns them).
demo_inspections_wanted = Signal()

# Sent by `ensure_demo_users` with `users`, the demo's role logins, once they have their units,
# so other apps can give them their places (a liaison station's head).
demo_users_ready = Signal()
