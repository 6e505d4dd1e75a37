"""One pump (sync inbound, dispatch) for consoles and `cmconsole dispatch`, and the send path."""

from cmconsole.domain.model import PostStatus
from tests.conftest import receive


def test_a_pump_pass_reports_new_mentions_failed_fetches_and_what_it_sent(services, team):
    services.accounts.add_alias("@elsewhere", "Elsewhere", channel="x", by=team.lead)
    first = receive(services, team.alias, "@ann", "@brand hi")
    services.shifts.start(team.operator, team.alias.id)
    queued = services.pump.send(team.operator, first, "Hello Ann", dispatch=False)
    services.public.mention("@bob", "@brand one")
    services.public.mention("@cid", "@brand two")

    report = services.pump.run()

    assert report.mentions == {"@brand": 2} and report.new_mentions == 2
    [failure] = report.sync_failures
    assert failure.handle == "@elsewhere" and failure.reason
    assert [post.id for post in report.dispatch.published] == [queued.id]


def test_sending_returns_the_reply_published(services, team):
    ann = receive(services, team.alias, "@ann", "@brand hi")
    services.shifts.start(team.operator, team.alias.id)
    sent = services.pump.send(team.operator, ann, "Hello Ann")
    assert sent.status is PostStatus.PUBLISHED and sent.channel_post_id


def test_sending_leaves_the_rest_of_the_outbox(services, team):
    ann = receive(services, team.alias, "@ann", "@brand hi")
    bob = receive(services, team.alias, "@bob", "@brand yo")
    services.shifts.start(team.operator, team.alias.id)
    left = services.pump.send(team.operator, ann, "Later, Ann", dispatch=False)
    assert left.status is PostStatus.QUEUED

    sent = services.pump.send(team.operator, bob, "Hello Bob")

    assert sent.status is PostStatus.PUBLISHED
    assert services.posting.post(team.operator, left.id).status is PostStatus.QUEUED


def test_sending_returns_a_failure_settled(services, team):
    ann = receive(services, team.alias, "@ann", "@brand hi")
    services.shifts.start(team.operator, team.alias.id)
    services.sandbox.refuse_with("refused (test)")
    sent = services.pump.send(team.operator, ann, "Hello Ann")
    assert sent.status is PostStatus.FAILED and "refused (test)" in (sent.failure_reason or "")


def test_a_trainees_reply_comes_back_awaiting_approval_and_is_not_sent(services, team):
    ann = receive(services, team.alias, "@ann", "@brand hi")
    services.shifts.start(team.trainee, team.alias.id)
    sent = services.pump.send(team.trainee, ann, "Hello from a trainee")
    assert sent.status is PostStatus.AWAITING_APPROVAL
    assert services.pump.run().dispatch.published == []
