"""Two councils signing in with one real OpenID provider (two clients), and a
`warroom serve` that knows them: what the sign-in tests share."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from tests.oidc_provider import Provider, client_of, configure, running_provider
from tests.servers import free_port, running_server, warroom

# Who the provider knows, and the groups it says they are in.
ACCOUNTS = {
    "ann": {"name": "Ann Archer", "email": "ann@leeds.test", "groups": ["wr-admins"]},
    "bob": {"name": "Bob Baker", "email": "bob@leeds.test", "groups": ["wr-staff"]},
    "cat": {"name": "Cat Cole", "email": "cat@york.test", "groups": ["york-leads"]},
    "dan": {"name": "Dan Dale", "email": "dan@leeds.test", "groups": ["finance"]},
}
LEEDS_ROLES = ["wr-admins=admin", "wr-staff=staff", "wr-leads=lead"]
YORK_ROLES = ["york-leads=lead"]


@dataclass(frozen=True)
class World:
    base: str
    provider: Provider
    leeds: str
    york: str
    database_url: str


def add_org(database_url: str, name: str, *flags: str) -> str:
    done = warroom(database_url, "org", "add", "--name", name, *flags)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()[-1]


@contextmanager
def two_councils(database_url: str) -> Iterator[World]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    clients = [client_of("leeds", base), client_of("york", base)]
    accounts = {k: dict(v) for k, v in ACCOUNTS.items()}
    with running_provider(clients, accounts) as provider:
        leeds = add_org(database_url, "Leeds")
        york = add_org(database_url, "York")
        for org, client, roles in (
            (leeds, "leeds", LEEDS_ROLES),
            (york, "york", YORK_ROLES),
        ):
            done = configure(database_url, org, provider.issuer, client, roles)
            assert done.returncode == 0, done.stderr
        with running_server(database_url, port=port) as served:
            yield World(served, provider, leeds, york, database_url)
