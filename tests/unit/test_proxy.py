"""The visitor's address behind the proxy: believed only from a trusted proxy, last entry only."""

import pytest

from config.proxy import client_address

TRUSTED = frozenset({"127.0.0.1", "::1"})


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("127.0.0.1", "203.0.113.7", "203.0.113.7"),
        # A client's own entries come first; only the proxy's last one is believed.
        ("127.0.0.1", "198.51.100.1, 203.0.113.7", "203.0.113.7"),
        ("::1", "2001:db8::5", "2001:db8::5"),
        # Not from the proxy: the header is the client's word and is ignored.
        ("198.51.100.9", "203.0.113.7", "198.51.100.9"),
        # Garbage or nothing from the proxy: the peer stays.
        ("127.0.0.1", "not-an-address", "127.0.0.1"),
        ("127.0.0.1", "", "127.0.0.1"),
    ],
)
def test_client_address(peer, forwarded, expected):
    meta = {"REMOTE_ADDR": peer, "HTTP_X_FORWARDED_FOR": forwarded}
    assert client_address(meta, TRUSTED) == expected
