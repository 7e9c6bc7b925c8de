"""The inbox and outbox claim rules: one chat in order, never twice, nothing lost."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from surveys.crud import inbox, outbox
from surveys.crud.inbox import Incoming
from surveys.crud.outbox import NewMessage
from surveys.crud.respondents import now_utc
from surveys.models import InboxStatus


def _updates(*pairs: tuple[int, int]) -> list[Incoming]:
    return [Incoming(update_id=u, chat_id=c, payload="{}") for u, c in pairs]


def test_a_redelivered_update_is_stored_once(session: Session) -> None:
    first = inbox.store(session, updates=_updates((1, 10), (2, 10)))
    again = inbox.store(session, updates=_updates((2, 10), (3, 11)))
    assert [u.update_id for u in first] == [1, 2]
    assert [u.update_id for u in again] == [3]


def test_only_the_oldest_unfinished_update_of_a_chat_can_be_claimed(session: Session) -> None:
    inbox.store(session, updates=_updates((5, 10), (6, 10), (7, 11)))
    head = inbox.claim_next(session, chat_id=10, worker="a")
    assert head is not None and head.update_id == 5
    assert inbox.claim_next(session, chat_id=10, worker="b") is None  # 6 waits for 5
    other = inbox.claim_next(session, chat_id=11, worker="b")
    assert other is not None and other.update_id == 7  # other chats do not wait
    inbox.finish(session, update_id=5)
    following = inbox.claim_next(session, chat_id=10, worker="b")
    assert following is not None and following.update_id == 6


def test_a_dead_workers_update_is_processed_again(session: Session) -> None:
    inbox.store(session, updates=_updates((5, 10)))
    claimed = inbox.claim_next(session, chat_id=10, worker="dead")
    assert claimed is not None
    assert inbox.requeue_stale(session, claimed_before=now_utc() - timedelta(minutes=1)) == []
    assert inbox.requeue_stale(session, claimed_before=now_utc() + timedelta(seconds=1)) == [10]
    again = inbox.claim_next(session, chat_id=10, worker="alive")
    assert again is not None and again.update_id == 5 and again.attempts == 2


def test_pruning_forgets_only_what_was_handled(session: Session) -> None:
    inbox.store(session, updates=_updates((5, 10), (6, 10)))
    inbox.finish(session, update_id=5)
    inbox.finish(session, update_id=6, status=InboxStatus.FAILED)
    inbox.store(session, updates=_updates((7, 10)))
    assert inbox.prune(session, before=now_utc() + timedelta(seconds=1)) == 2
    assert inbox.counts(session).by_status == {"queued": 1}


def _queue(session: Session, *pairs: tuple[int, str]) -> list[int]:
    queued = outbox.enqueue(
        session,
        messages=[
            NewMessage(chat, "sendMessage", {"chat_id": chat, "text": t}) for chat, t in pairs
        ],
    )
    return [q.id for q in queued]


def test_a_chat_is_claimed_in_order_and_by_one_worker(session: Session) -> None:
    _queue(session, (1, "a"), (2, "x"), (1, "b"))
    rows = outbox.claim_lane(session, chat_id=1, worker="w1")
    assert [r.params["text"] for r in rows] == ["a", "b"]
    _queue(session, (1, "c"))
    assert outbox.claim_lane(session, chat_id=1, worker="w2") == []  # still sending a and b
    outbox.mark_sent(session, ids=[r.id for r in rows])
    assert [r.params["text"] for r in outbox.claim_lane(session, chat_id=1, worker="w2")] == ["c"]


def test_a_message_waiting_for_a_retry_holds_back_the_later_ones(session: Session) -> None:
    first, second = _queue(session, (1, "a"), (1, "b"))
    rows = outbox.claim_lane(session, chat_id=1, worker="w")
    outbox.retry_later(session, id=first, at=now_utc() + timedelta(minutes=1), error="502")
    outbox.release(session, ids=[second])
    assert [r.id for r in rows] == [first, second]
    assert outbox.claim_lane(session, chat_id=1, worker="w") == []
    assert outbox.due_chats(session, limit=10) == []
    later = now_utc() + timedelta(minutes=2)
    assert outbox.due_chats(session, limit=10, now=later) == [1]
    assert [r.id for r in outbox.claim_lane(session, chat_id=1, worker="w", now=later)] == [
        first,
        second,
    ]


def test_due_chats_put_alerts_before_replies_before_bulk(session: Session) -> None:
    outbox.enqueue(
        session,
        messages=[
            NewMessage(3, "sendMessage", {"text": "bulk"}, priority=2),
            NewMessage(2, "sendMessage", {"text": "reply"}, priority=1),
            NewMessage(1, "sendMessage", {"text": "alert"}, priority=0),
        ],
    )
    assert outbox.due_chats(session, limit=10) == [1, 2, 3]


def test_counts_and_failures_by_reason(engine: Engine) -> None:
    with Session(engine) as session:
        ids = _queue(session, (1, "a"), (2, "b"), (3, "c"))
        outbox.mark_failed(session, id=ids[0], error="blocked by the user")
        outbox.mark_sent(session, ids=[ids[1]])
        session.commit()
        counts = outbox.counts(session)
    assert counts.by_status == {"failed": 1, "sent": 1, "queued": 1}
    assert counts.failures == {"blocked by the user": 1}
    assert counts.oldest_queued is not None
