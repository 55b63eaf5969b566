"""Admin screens no staff role may open, whatever permissions its group holds."""


class SuperusersOnlyAdmin:
    """A ModelAdmin mixin: only active superusers see the model, and then only what the admin
    itself allows them."""

    def is_superuser(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_module_permission(self, request):
        return self.is_superuser(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self.is_superuser(request) and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self.is_superuser(request) and super().has_change_permission(request, obj)

    def has_add_permission(self, request, *args):
        return self.is_superuser(request) and super().has_add_permission(request, *args)

    def has_delete_permission(self, request, obj=None):
        return self.is_superuser(request) and super().has_delete_permission(request, obj)
