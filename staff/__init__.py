"""Staff roles: who may do what in the Wagtail admin, the shop dashboard and the Django admin."""
