import datetime
import zoneinfo

import pytest
import time_machine

from staff.provisioning import ensure_roles
from staff.roles import REGISTRY_OFFICERS, SHOP_STAFF

HANOI = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
START = datetime.datetime(2026, 11, 29, 7, 0, tzinfo=HANOI)


@pytest.fixture
def clock():
    """Time stands at 07:00 on 29/11/2026 (Hà Nội) until the test moves it."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def roles(db):
    return ensure_roles()


@pytest.fixture
def member(django_user_model, roles):
    def make(role, email):
        user = django_user_model.objects.create_user(email.split("@")[0], email, "pw")
        user.groups.add(roles[role.name])
        user.refresh_from_db()
        return user

    return make


@pytest.fixture
def officer(member):
    return member(REGISTRY_OFFICERS, "officer@ocop.test")


@pytest.fixture
def shopkeeper(member):
    return member(SHOP_STAFF, "shop@ocop.test")
