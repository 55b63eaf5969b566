"""Payment methods of the storefront: VietQR bank transfer, cash on delivery, Stripe."""
