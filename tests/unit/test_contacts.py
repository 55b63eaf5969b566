"""Social links of the site settings, and placing communes on the home page map."""

import pytest
from django.core.exceptions import ValidationError

from cms.contacts import normalise_social_url, normalise_zalo
from directory.geo import map_frame, project

BOUNDS = (20.85, 102.1, 22.6, 103.65)


@pytest.mark.parametrize(
    "typed,stored",
    [
        ("0912 345 678", "https://zalo.me/0912345678"),
        ("+84 912.345.678", "https://zalo.me/0912345678"),
        ("84-912-345-678", "https://zalo.me/0912345678"),
        ("https://zalo.me/84912345678", "https://zalo.me/0912345678"),
        ("zalo.me/g/abcdef", "https://zalo.me/g/abcdef"),
        ("https://www.zalo.me/1234567890123456789", "https://zalo.me/1234567890123456789"),
        ("  ", ""),
    ],
)
def test_zalo_numbers_and_links_are_stored_as_zalo_me_links(typed, stored):
    assert normalise_zalo(typed) == stored


@pytest.mark.parametrize(
    "typed,code",
    [
        ("12345", "bad_phone"),
        ("0212 345 678", "bad_phone"),  # a landline has no Zalo account
        ("http://zalo.me/0912345678", "not_zalo"),
        ("https://zalo.me.example.com/0912345678", "not_zalo"),
        ("https://zalo.me/", "no_account"),
    ],
)
def test_bad_zalo_contacts_are_refused(typed, code):
    with pytest.raises(ValidationError) as error:
        normalise_zalo(typed)
    assert error.value.code == code


@pytest.mark.parametrize(
    "platform,typed,stored",
    [
        ("facebook", "facebook.com/ocop.dienbien", "https://facebook.com/ocop.dienbien"),
        ("facebook", " https://WWW.Facebook.com/ocop ", "https://www.facebook.com/ocop"),
        ("tiktok", "https://www.tiktok.com/@ocop", "https://www.tiktok.com/@ocop"),
        ("youtube", "https://youtu.be/abc", "https://youtu.be/abc"),
        ("youtube", "https://m.youtube.com/@ocop", "https://m.youtube.com/@ocop"),
        ("youtube", "", ""),
    ],
)
def test_social_links_are_https_addresses_of_their_platform(platform, typed, stored):
    assert normalise_social_url(typed, platform) == stored


@pytest.mark.parametrize(
    "platform,typed,code",
    [
        ("facebook", "http://facebook.com/ocop", "not_https"),
        ("facebook", "https://facebook.com.evil.example/ocop", "wrong_platform"),
        ("tiktok", "https://www.youtube.com/@ocop", "wrong_platform"),
        ("youtube", "javascript:alert(1)", "not_https"),
        ("youtube", "https://youtube.com/ bad link", "invalid"),
    ],
)
def test_bad_social_links_are_refused(platform, typed, code):
    with pytest.raises(ValidationError) as error:
        normalise_social_url(typed, platform)
    assert error.value.code == code


def test_map_points_fill_the_province_box_keeping_its_shape():
    height = map_frame(BOUNDS, 400)
    assert 450 < height < 520  # taller than wide once longitude is scaled at 21.7° N
    assert project(22.6, 102.1, BOUNDS, 400) == (0.0, 0.0)  # north-west corner
    south_east = project(20.85, 103.65, BOUNDS, 400)
    assert south_east == (400.0, round(height, 1))
    x, y = project(21.858, 103.348, BOUNDS, 400)  # Tủa Chùa: north-east of the middle
    assert x > 200 and y < height / 2


def test_points_outside_the_province_are_not_placed():
    assert project(21.03, 105.85, BOUNDS, 400) is None  # Hà Nội
    assert project(23.0, 103.0, BOUNDS, 400) is None
