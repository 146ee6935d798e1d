"""Web archives with threads, posting from the web, digests and search: what readers see."""
import time
from datetime import timedelta

from sqlalchemy import func, select

from intranet.core.types import Role
from intranet.core.timeutil import utcnow
from intranet.extensions import db
from intranet.lists import fanout, services
from intranet.lists.models import DeliveryMode, FanoutJob, ListMessage
from intranet.mail.models import OutboxMessage
from intranet.search import services as search
from intranet.search.backends import SearchRequest
from intranet.spaces.models import Activity

from .. import factories
from ..helpers import text
from . import builders


def _world():
    org = factories.make_org()
    admin = factories.make_user(org, Role.ADMIN)
    member = factories.make_user(org, Role.MEMBER)
    mlist = builders.make_list(factories.org_space(org), admin, name="agents",
                               title="Agents de la commune")
    services.subscribe_user(mlist, member)
    return mlist, admin, member


def test_replies_by_email_join_their_thread_in_the_archive(listener, client, login):
    mlist, admin, member = _world()
    root = builders.email(member.email, mlist.address, "Cantine", "Qui gère la cantine ?",
                          message_id="<racine@exemple.fr>")
    assert listener.send(root, member.email, [mlist.address])[0] == 250
    answer = builders.email(admin.email, mlist.address, "Re: [agents] Cantine", "Moi.",
                            message_id="<reponse@exemple.fr>",
                            extra="In-Reply-To: <racine@exemple.fr>\r\n"
                                  "References: <racine@exemple.fr>")
    later = builders.email(member.email, mlist.address, "Re: Cantine", "Merci !",
                           message_id="<merci@exemple.fr>",
                           extra="References: <racine@exemple.fr> <reponse@exemple.fr>")
    other = builders.email(member.email, mlist.address, "Voirie", "Nid de poule rue Haute.")
    for raw, sender in ((answer, admin.email), (later, member.email), (other, member.email)):
        assert listener.send(raw, sender, [mlist.address])[0] == 250
    messages = {m.message_id: m for m in db.session.scalars(select(ListMessage))}
    first = messages["<racine@exemple.fr>"]
    assert first.thread_id == first.id
    assert messages["<reponse@exemple.fr>"].thread_id == first.id
    assert messages["<merci@exemple.fr>"].parent_id == messages["<reponse@exemple.fr>"].id

    login(member)
    page = text(client.get(f"/espaces/{mlist.space.slug}/listes/agents"))
    assert "Cantine" in page and "Voirie" in page and "2 discussions" in page
    thread = text(client.get(f"/espaces/{mlist.space.slug}/listes/agents/fils/{first.id}"))
    assert thread.index("Qui gère la cantine ?") < thread.index("Moi.") < thread.index("Merci !")
    assert "Nid de poule" not in thread


def test_posting_from_the_web_answers_at_once_and_the_worker_fans_out(client, login):
    mlist, admin, member = _world()
    builders.add_outside(mlist, [f"p{i}@exemple.org" for i in range(2000)])
    login(member)
    url = f"/espaces/{mlist.space.slug}/listes/agents/ecrire"
    started = time.perf_counter()
    response = client.post(url, data={"subject": "Fermeture", "body": "Mairie fermée lundi."})
    elapsed = time.perf_counter() - started
    assert response.status_code == 302 and "#message-" in response.location
    assert elapsed < 1.0  # the request stores one post and one job (see benchmarks/mail.py)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    job = db.session.scalar(select(FanoutJob))
    assert job is not None and not job.done
    assert fanout.run_fanout(batch=500) == 2001
    db.session.refresh(job)
    assert job.done and job.queued == 2001 and job.cursor > 0
    assert fanout.run_fanout() == 0  # nothing twice
    assert db.session.scalar(select(Activity.summary)) == "Agents de la commune : Fermeture"

    thread_url = response.location.split("#")[0]
    client.post(thread_url + "/repondre", data={"body": "Et mardi ?"})
    reply = db.session.scalar(select(ListMessage).where(ListMessage.body_text == "Et mardi ?"))
    assert reply.subject == "Re: Fermeture" and reply.in_reply_to.endswith("@lists.territoires47.fr>")
    assert reply.thread_id == db.session.scalar(select(ListMessage.id).where(
        ListMessage.subject == "Fermeture"))


def test_a_closed_announce_list_does_not_offer_writing_to_its_readers(client, login):
    mlist, admin, member = _world()
    services.update_list(mlist, by=admin, title=mlist.title, description="",
                         subscription_policy="closed", posting_policy="announce",
                         reply_to="list", from_rewrite="auto")
    login(member)
    page = text(client.get(f"/espaces/{mlist.space.slug}/listes/agents"))
    assert "Écrire à la liste" not in page
    assert client.get(f"/espaces/{mlist.space.slug}/listes/agents/ecrire").status_code == 403


def test_digest_subscribers_get_one_mail_a_day_with_the_days_messages(smtp_sink):
    mlist, admin, member = _world()
    builders.add_outside(mlist, ["resume@exemple.org"], delivery=DeliveryMode.DIGEST)
    builders.add_outside(mlist, ["rien@exemple.org"], delivery=DeliveryMode.NONE)
    services.post_from_web(mlist, admin, subject="Premier", body="Un")
    services.post_from_web(mlist, member, subject="Second", body="Deux")
    builders.drain()
    assert not smtp_sink.sink.to("resume@exemple.org")
    assert fanout.schedule_digests(utcnow() + timedelta(seconds=1)) == 1
    assert fanout.schedule_digests(utcnow() + timedelta(hours=1)) == 0  # once a day
    builders.drain()
    (digest,) = smtp_sink.sink.to("resume@exemple.org")
    assert "Résumé" in digest["Subject"] and "(2 messages)" in digest["Subject"]
    content = digest.get_content()
    assert "Premier" in content and "Second" in content and "Deux" in content
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert not smtp_sink.sink.to("rien@exemple.org")
    assert len(smtp_sink.sink.to(member.email)) == 2  # each message, no digest


def test_archives_are_searchable_by_those_who_see_the_space(client, login):
    mlist, admin, member = _world()
    services.post_from_web(mlist, admin, subject="Élagage", body="Platanes du boulevard")
    search.backend().clear()
    search.drain()
    hits = search.query(member, SearchRequest(text="platanes"))
    assert [h.url.split("#")[0] for h in hits.hits] == [
        f"/espaces/{mlist.space.slug}/listes/agents/fils/"
        f"{db.session.scalar(select(ListMessage.id))}"]
    stranger = factories.make_user(factories.make_org())
    assert search.query(stranger, SearchRequest(text="platanes")).hits == []


def test_flask_worker_fans_out_and_sends_list_posts(runner):
    mlist, admin, member = _world()
    services.post_from_web(mlist, admin, subject="Par le worker", body="Texte du message")
    member_email = member.email
    result = runner.invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "listes : 1 courriel(s) mis en file" in result.output
    assert f"À : {member_email}" in result.output and "Texte du message" in result.output
    assert runner.invoke(args=["lists", "fanout"]).output.startswith("0 courriel")


def test_the_archive_counts_its_threads_with_the_page_and_past_its_end():
    mlist, admin, member = _world()
    for n in range(5):
        services.post_from_web(mlist, admin, subject=f"Sujet {n}", body="Texte.")
    rows, total = services.threads(mlist, page=1, per_page=2)
    assert total == 5 and len(rows) == 2
    assert "Sujet 4" in rows[0][0].subject and "Sujet 3" in rows[1][0].subject   # latest first
    assert [len(row) for row in rows] == [3, 3]               # (first message, count, last)
    rows, total = services.threads(mlist, page=3, per_page=2)
    assert total == 5 and len(rows) == 1 and "Sujet 0" in rows[0][0].subject
    assert services.threads(mlist, page=4, per_page=2) == ([], 5)     # past the end
    assert services.threads(builders.make_list(mlist.space, admin, name="vide"), page=1) == ([], 0)
