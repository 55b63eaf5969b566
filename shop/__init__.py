"""The shop: django-oscar apps forked where the OCOP storefront differs, loaded by name."""
