"""Customers' saved addresses: Vietnamese five-digit postcodes, province and commune codes."""

from oscar.apps.address.abstract_models import AbstractUserAddress

from .vietnam import VietnameseAddress


class UserAddress(VietnameseAddress, AbstractUserAddress):
    class Meta(AbstractUserAddress.Meta):
        pass


from oscar.apps.address.models import *  # noqa: E402,F403
