"""A contact's reach read from the channel: the X user lookup's follower counts (tweepy's real
Client on HTTP stubbed with `responses`), the sandbox's own, and the card keeping what was read,
and when, apart from the operators' reach rating. The service on every engine."""

import pytest
import responses
from responses import matchers

from cmconsole.channels.sandbox import sandbox_followers
from cmconsole.domain.contacts import Facet
from cmconsole.services.ports import ChannelRateLimited
from tests.conftest import receive

# The X channel's fixtures, as its own tests build it: tweepy's real Client, keys in a test keyring.
from tests.test_x_channel import ALIAS, API, _signed_as, channel, sleeps, store  # noqa: F401

# The body of X's multiple-user lookup, GET /2/users/by?usernames=…&user.fields=public_metrics:
# each user as docs.x.com's "User lookup" quickstart shows one with public_metrics
# (https://docs.x.com/x-api/users/lookup/quickstart/user-lookup; a list in `data` when several
# are asked for). The `errors` entry for a username X does not know follows X API v2's
# partial-error shape (a 200 with `errors` beside `data`), which that page does not show.
LOOKUP = {
    "data": [
        {
            "id": "2244994945",
            "name": "Ann Example",
            "username": "Ann",
            "public_metrics": {
                "followers_count": 583423,
                "following_count": 2048,
                "tweet_count": 14052,
                "listed_count": 1672,
            },
        },
        {
            "id": "783214",
            "name": "Bob",
            "username": "bob_work",
            "public_metrics": {
                "followers_count": 12,
                "following_count": 3,
                "tweet_count": 40,
                "listed_count": 0,
            },
        },
    ],
    "errors": [
        {
            "value": "gone",
            "detail": "Could not find user with usernames: [gone].",
            "title": "Not Found Error",
            "resource_type": "user",
            "parameter": "usernames",
            "resource_id": "gone",
            "type": "https://api.twitter.com/2/problems/resource-not-found",
        }
    ],
}


@pytest.fixture
def api():
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


def test_x_reads_follower_counts_from_the_user_lookup(channel, api):  # noqa: F811
    api.get(
        f"{API}/users/by",
        match=[
            matchers.query_param_matcher(
                {"usernames": "ann,bob_work,gone", "user.fields": "public_metrics"}
            )
        ],
        json=LOOKUP,
    )

    found = channel.reach(ALIAS, ["@ann", "@bob_work", "@gone"])

    # X answers with the account's own capitals: the handle asked for is the key.
    assert found == {"@ann": 583423, "@bob_work": 12}
    [call] = api.calls
    assert _signed_as(call.request, "access-token-1")


def test_x_looks_up_a_hundred_usernames_a_request(channel, api):  # noqa: F811
    handles = [f"@fan{n}" for n in range(150)]
    for chunk in (handles[:100], handles[100:]):
        api.get(
            f"{API}/users/by",
            match=[
                matchers.query_param_matcher(
                    {
                        "usernames": ",".join(h[1:] for h in chunk),
                        "user.fields": "public_metrics",
                    }
                )
            ],
            json={
                "data": [
                    {
                        "id": str(n),
                        "name": h,
                        "username": h[1:],
                        "public_metrics": {"followers_count": n},
                    }
                    for n, h in enumerate(chunk)
                ]
            },
        )

    assert len(channel.reach(ALIAS, handles)) == 150


def test_a_rate_limited_lookup_says_when_to_try_again(channel, api):  # noqa: F811
    api.get(f"{API}/users/by", status=429, headers={"x-rate-limit-reset": "1793000000"}, json={})

    with pytest.raises(ChannelRateLimited):
        channel.reach(ALIAS, ["@ann"])


def test_the_card_keeps_the_reach_read_apart_from_the_operators_rating(services, team, clock):
    receive(services, team.alias, "@ann", "@brand hello")
    services.contacts.rate(team.operator, team.alias.id, "@ann", Facet.REACH, 2, "small blog")
    clock.advance(hours=1)

    read = services.contacts.read_reach(team.operator, team.alias.id, "@ann")

    assert read.channel_reach == sandbox_followers("@ann")
    assert read.channel_reach_at == clock.now
    card = services.contacts.card(team.trainee, team.alias.id, "@ann")
    assert (card.contact.channel_reach, card.contact.channel_reach_at) == (
        sandbox_followers("@ann"),
        clock.now,
    )
    assert card.contact.facets[Facet.REACH] == 2
    assert [(r.facet, r.value) for r in card.ratings] == [(Facet.REACH, 2)]
    [event] = [
        e.event
        for e in services.audit.for_alias(team.lead, team.alias.id)
        if e.event.kind == "contact.reach_read"
    ]
    assert event.details["followers"] == sandbox_followers("@ann")
    assert event.actor_id == team.operator.operator_id
    assert services.audit.verify().intact

    services.contact_life.erase(team.lead, team.alias.id, "@ann")
    erased = services.contacts.card(team.lead, team.alias.id, "@ann").contact
    assert (erased.channel_reach, erased.channel_reach_at) == (None, None)
