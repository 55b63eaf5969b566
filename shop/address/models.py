"""Customers' saved addresses, with Vietnamese five-digit postcodes."""

from oscar.apps.address.abstract_models import AbstractUserAddress

from .postcodes import VietnamesePostcode


class UserAddress(VietnamesePostcode, AbstractUserAddress):
    pass


from oscar.apps.address.models import *  # noqa: E402,F403
