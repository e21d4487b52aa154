"""Which push services a subscription may name (`web.push.endpoints`), and the
server's VAPID key (`web.push.keys`)."""

from __future__ import annotations

import pytest

from push.endpoints import Refused, allowed, check_endpoint
from push.keys import (
    BadVapidKey,
    PushKeys,
    b64url_decode,
    public_key_b64,
    vapid_key,
)
from tests.conftest import TEST_SIGNING_KEY
from warroom.config import Settings
from warroom.evidence.notes import Signer

DEFAULT = allowed(Settings().push_allowed)


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://fcm.googleapis.com/fcm/send/dGVzdA:APA91b",
        "https://updates.push.services.mozilla.com/wpush/v2/gAAAAAB",
        "https://web.push.apple.com/QGvSRNH2H5Hc",
        "https://wns2-par02p.notify.windows.com/w/?token=BQYAAAD",
        "https://db5p.notify.windows.com/w/?token=abc",
        "https://fcm.googleapis.com:443/fcm/send/x",
    ],
)
def test_the_major_browsers_push_services_are_taken_by_default(endpoint: str) -> None:
    check_endpoint(endpoint, DEFAULT)


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://notify.windows.com/w/",  # the wildcard wants a name below it
        "https://evilnotify.windows.com/w/",
        "https://notify.windows.com.evil.example/w/",
        "https://fcm.googleapis.com.evil.example/fcm/send/x",
        "https://fcm.googleapis.com@evil.example/fcm/send/x",
        "https://user:pw@fcm.googleapis.com/fcm/send/x",
        "https://fcm.googleapis.com/fcm/send/x#frag",
        "http://fcm.googleapis.com/fcm/send/x",
        "https://fcm.googleapis.com:444/fcm/send/x",
        "https://[::1/",
        "ftp://fcm.googleapis.com/x",
        "https://fcm.googleapis.com/" + "x" * 2000,
    ],
)
def test_anything_else_is_refused(endpoint: str) -> None:
    with pytest.raises(Refused):
        check_endpoint(endpoint, DEFAULT)


def test_a_prefix_with_a_path_takes_only_below_it() -> None:
    prefixes = allowed("http://127.0.0.1:8080/push/")
    check_endpoint("http://127.0.0.1:8080/push/abc", prefixes)
    with pytest.raises(Refused):
        check_endpoint("http://127.0.0.1:8080/api/users", prefixes)


def test_the_derived_key_is_the_same_each_time_and_differs_by_signing_key() -> None:
    signer = Signer.parse(TEST_SIGNING_KEY)
    one = public_key_b64(vapid_key(Settings(), signer))
    two = public_key_b64(vapid_key(Settings(), Signer.parse(TEST_SIGNING_KEY)))
    other = public_key_b64(vapid_key(Settings(), Signer.generate("x.test/log")))
    assert one == two != other
    assert len(b64url_decode(one)) == 65


def test_a_configured_key_that_is_no_p256_key_stops_the_start() -> None:
    signer = Signer.parse(TEST_SIGNING_KEY)
    with pytest.raises(BadVapidKey):
        vapid_key(Settings(vapid_private_key="not a key"), signer)  # type: ignore[arg-type]


def test_a_device_sealed_opens_only_with_the_same_key_and_person() -> None:
    keys = PushKeys.of(Settings(), Signer.parse(TEST_SIGNING_KEY))
    other = PushKeys.of(Settings(), Signer.generate("x.test/log"))
    sealed = keys.seal("u1", "https://fcm.googleapis.com/x", "BKEY", "AUTH")

    opened = keys.open("d1", "u1", sealed)

    assert opened is not None and opened.endpoint == "https://fcm.googleapis.com/x"
    assert (opened.p256dh, opened.auth) == ("BKEY", "AUTH")
    assert "fcm" not in sealed and "BKEY" not in sealed
    assert keys.open("d1", "u2", sealed) is None  # bound to its person
    assert other.open("d1", "u1", sealed) is None
    assert keys.tag("a") == keys.tag("a") != other.tag("a")
