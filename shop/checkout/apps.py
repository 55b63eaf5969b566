import oscar.apps.checkout.apps as apps
from django.urls import path


class CheckoutConfig(apps.CheckoutConfig):
    name = "shop.checkout"

    def ready(self):
        super().ready()
        from shop.address import views as address_views

        self.communes_view = address_views.communes

    def get_urls(self):
        # The address forms (checkout and address book) fill their commune list from here.
        communes = path("communes/<int:province_code>/", self.communes_view, name="communes")
        return super().get_urls() + self.post_process_urls([communes])
