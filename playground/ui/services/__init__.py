"""The Session's services: every storage, keyring and file call the window makes goes through one
of these (see ``playground.ui.session``). Widgets call a service and render what it returns; no other
module under playground/ui touches the core's stores (tests/ui/test_service_boundary.py)."""
