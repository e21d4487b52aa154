"""An organisation's sign-on settings (issue 26): the sealed client secret
opens only for the organisation, issuer and client it was sealed for, under
the signing key it was sealed with; claims map to roles as configured."""

from __future__ import annotations

import pytest

from commands.sign_on import BadSignOn, check_issuer, parse_roles
from warroom.domain.organisation import SignOnSettings
from warroom.evidence.notes import Signer
from warroom.sign_on_secret import SecretSeal, SecretUnreadable


def test_a_sealed_secret_opens_only_where_it_was_sealed() -> None:
    seal = SecretSeal(Signer.generate("warroom.test/a"))
    sealed = seal.seal("s3cret", "org", "https://id.example", "client")
    assert "s3cret" not in sealed
    assert seal.open(sealed, "org", "https://id.example", "client") == "s3cret"
    with pytest.raises(SecretUnreadable):
        seal.open(sealed, "other-org", "https://id.example", "client")
    with pytest.raises(SecretUnreadable):
        SecretSeal(Signer.generate("warroom.test/b")).open(
            sealed, "org", "https://id.example", "client"
        )


def test_claims_map_to_the_first_role_configured_that_they_hold() -> None:
    settings = SignOnSettings(
        issuer="https://id.example",
        client_id="c",
        client_secret_sealed="x",
        claim="roles",
        roles=parse_roles(("Warroom.Admin=admin", "Warroom.Staff=staff", "a=b=lead")),
    )
    assert settings.role_for({"roles": ["Warroom.Staff", "Warroom.Admin"]}) == "admin"
    assert settings.role_for({"roles": "Warroom.Staff"}) == "staff"
    assert settings.role_for({"roles": ["a=b"]}) == "lead"
    assert settings.role_for({"groups": ["Warroom.Admin"]}) is None
    assert settings.role_for({}) is None


@pytest.mark.parametrize(
    "given", [(), ("=staff",), ("x",), ("x=boss",), ("x=staff", "x=lead")]
)
def test_bad_role_mappings_are_refused(given: tuple[str, ...]) -> None:
    with pytest.raises(BadSignOn):
        parse_roles(given)


@pytest.mark.parametrize(
    "issuer", ["http://id.example", "ftp://id.example", "https://", "https://a/?q=1"]
)
def test_an_issuer_is_https_but_on_this_machine(issuer: str) -> None:
    with pytest.raises(BadSignOn):
        check_issuer(issuer)
    assert check_issuer("http://127.0.0.1:9000") == "http://127.0.0.1:9000"
