//! Settling against the real outbox (in memory) and timeline, through a plain sender that
//! behaves as the browser's `Delivery` does, minus its lock and timer.

use std::cell::RefCell;

use tidings_protocol::{ErrorCode, Message, PresenceStatus, Sender, ServerFrame};
use uuid::Uuid;

use super::*;
use crate::outbox::{is_transient, EntryState, MemoryStorage, Outbox, SharedStorage};
use crate::timeline::LocalMessage;

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

/// An outbox sender with a fake wire: `sent` records every id put on it.
struct PlainSender {
    outbox: Outbox<SharedStorage>,
    online: bool,
    sent: Vec<Uuid>,
}

impl PlainSender {
    fn new() -> Self {
        PlainSender {
            outbox: Outbox::new(SharedStorage::new(MemoryStorage::default()), "o."),
            online: false,
            sent: Vec::new(),
        }
    }
}

impl OutboxPort for PlainSender {
    fn pump(&mut self) {
        if !self.online {
            return;
        }
        if let Some(entry) = self.outbox.next_to_send() {
            self.sent.push(entry.id);
        }
    }
    fn acknowledged(&mut self, id: Uuid) -> Option<OutboxEntry> {
        let entry = self.outbox.acknowledge(id);
        self.pump();
        entry
    }
    fn refused(&mut self, id: Uuid, code: ErrorCode, reason: String) -> Option<OutboxEntry> {
        if is_transient(code) {
            self.outbox.connection_lost();
            return None;
        }
        let entry = self.outbox.refuse(id, code, reason);
        self.pump();
        entry
    }
    fn disconnected(&mut self) {
        self.online = false;
        self.outbox.connection_lost();
    }
}

/// One timeline per conversation, plus the visitor's "no conversation yet" one.
#[derive(Default)]
struct Held(RefCell<Vec<(Option<Uuid>, Timeline)>>);

impl Timelines for Held {
    fn change(&self, conversation_id: Option<Uuid>, change: &mut dyn FnMut(&mut Timeline)) {
        for (held, timeline) in self.0.borrow_mut().iter_mut() {
            if *held == conversation_id || held.is_none() {
                change(timeline);
            }
        }
    }
}

impl Held {
    fn with(conversation_id: Option<Uuid>, local: &[Uuid]) -> Held {
        let mut timeline = Timeline::new();
        for &id in local {
            timeline.add_local(LocalMessage {
                id,
                sender: Sender::Agent,
                author_name: None,
                body: "hi".into(),
                created_at: 1,
                refused: None,
            });
        }
        Held(RefCell::new(vec![(conversation_id, timeline)]))
    }
    fn entries(&self) -> Vec<tidings_protocol::Message> {
        self.0.borrow()[0].1.messages().cloned().collect()
    }
    fn local_refusal(&self, id: Uuid) -> Option<ErrorCode> {
        self.0.borrow()[0]
            .1
            .local()
            .iter()
            .find(|l| l.id == id)
            .and_then(|l| l.refused.as_ref().map(|r| r.code))
    }
}

fn hello() -> ServerFrame {
    ServerFrame::Hello {
        version: 1,
        now: 0,
        role: tidings_protocol::Role::Agent,
        visitor_id: None,
        agent: None,
        availability: PresenceStatus::Online,
        heartbeat_interval_ms: 0,
        heartbeat_timeout_ms: 0,
        email: false,
    }
}

fn ack(message: Uuid, conversation: Uuid, seq: u64) -> ServerFrame {
    ServerFrame::Ack {
        id: message,
        conversation_id: conversation,
        seq,
        created_at: 7,
    }
}

fn refusal(message: Uuid, code: ErrorCode) -> ServerFrame {
    ServerFrame::Error {
        code,
        message: "no".into(),
        id: Some(message),
        conversation_id: None,
    }
}

#[test]
fn hello_pumps_the_outbox_and_reaches_the_app() {
    let mut sender = PlainSender::new();
    sender
        .outbox
        .enqueue(id(1), Some(id(9)), "a".into(), 1)
        .unwrap();
    sender.online = true;
    let held = Held::with(Some(id(9)), &[id(1)]);
    let settled = settle(hello(), &mut sender, &held);
    assert!(matches!(settled, Settled::Frame(ServerFrame::Hello { .. })));
    assert_eq!(sender.sent, vec![id(1)]);
}

#[test]
fn an_ack_drops_the_entry_confirms_the_timeline_and_sends_the_next() {
    let mut sender = PlainSender::new();
    sender
        .outbox
        .enqueue(id(1), Some(id(9)), "a".into(), 1)
        .unwrap();
    sender
        .outbox
        .enqueue(id(2), Some(id(9)), "b".into(), 2)
        .unwrap();
    sender.online = true;
    let held = Held::with(Some(id(9)), &[id(1), id(2)]);
    settle(hello(), &mut sender, &held);
    let settled = settle(ack(id(1), id(9), 4), &mut sender, &held);
    assert_eq!(
        settled,
        Settled::Acknowledged {
            id: id(1),
            conversation_id: id(9),
            seq: 4,
            created_at: 7,
            was_ours: true
        }
    );
    assert_eq!(sender.sent, vec![id(1), id(2)]);
    assert_eq!(sender.outbox.entries().len(), 1);
    let confirmed: Vec<(Uuid, u64)> = held.entries().iter().map(|m| (m.id, m.seq)).collect();
    assert_eq!(confirmed, vec![(id(1), 4)]);
    // The same ack again (another tab's copy): confirmed once, not ours any more.
    let again = settle(ack(id(1), id(9), 4), &mut sender, &held);
    assert!(matches!(
        again,
        Settled::Acknowledged {
            was_ours: false,
            ..
        }
    ));
    assert_eq!(held.entries().len(), 1);
}

#[test]
fn a_lasting_refusal_marks_the_message_failed_in_both_and_moves_on() {
    let mut sender = PlainSender::new();
    sender
        .outbox
        .enqueue(id(1), Some(id(9)), "a".into(), 1)
        .unwrap();
    sender
        .outbox
        .enqueue(id(2), Some(id(9)), "b".into(), 2)
        .unwrap();
    sender.online = true;
    let held = Held::with(Some(id(9)), &[id(1), id(2)]);
    settle(hello(), &mut sender, &held);
    let settled = settle(
        refusal(id(1), ErrorCode::MessageTooLong),
        &mut sender,
        &held,
    );
    assert_eq!(
        settled,
        Settled::Refused {
            id: id(1),
            conversation_id: Some(id(9)),
            code: ErrorCode::MessageTooLong,
            reason: "no".into()
        }
    );
    assert_eq!(held.local_refusal(id(1)), Some(ErrorCode::MessageTooLong));
    assert!(matches!(
        sender.outbox.get(id(1)).unwrap().state,
        EntryState::Failed {
            code: ErrorCode::MessageTooLong,
            ..
        }
    ));
    assert_eq!(sender.sent, vec![id(1), id(2)]);
}

#[test]
fn a_passing_refusal_keeps_the_message_pending_and_tells_the_app_nothing() {
    let mut sender = PlainSender::new();
    sender.outbox.enqueue(id(1), None, "a".into(), 1).unwrap();
    sender.online = true;
    let held = Held::with(None, &[id(1)]);
    settle(hello(), &mut sender, &held);
    let settled = settle(refusal(id(1), ErrorCode::RateLimited), &mut sender, &held);
    assert_eq!(settled, Settled::Nothing);
    assert_eq!(held.local_refusal(id(1)), None);
    assert!(sender.outbox.get(id(1)).unwrap().is_pending());
    // Sent again once pumped (the browser's sender does it a second later).
    sender.pump();
    assert_eq!(sender.sent, vec![id(1), id(1)]);
}

#[test]
fn a_refusal_of_a_message_this_tab_does_not_hold_changes_nothing() {
    let mut sender = PlainSender::new();
    let held = Held::with(Some(id(9)), &[]);
    let settled = settle(
        refusal(id(5), ErrorCode::MessageTooLong),
        &mut sender,
        &held,
    );
    assert_eq!(settled, Settled::Nothing);
}

#[test]
fn a_loss_puts_the_message_on_the_wire_back_in_line_for_the_next_hello() {
    let mut sender = PlainSender::new();
    sender.outbox.enqueue(id(1), None, "a".into(), 1).unwrap();
    sender.online = true;
    let held = Held::with(None, &[id(1)]);
    settle(hello(), &mut sender, &held);
    disconnected(&mut sender);
    assert_eq!(sender.outbox.in_flight(), None);
    sender.online = true;
    settle(hello(), &mut sender, &held);
    assert_eq!(sender.sent, vec![id(1), id(1)]);
}

#[test]
fn other_frames_reach_the_app_untouched() {
    let mut sender = PlainSender::new();
    let held = Held::with(Some(id(9)), &[]);
    let message = Message {
        id: id(3),
        conversation_id: id(9),
        seq: 1,
        sender: Sender::Visitor,
        author_name: None,
        agent_id: None,
        body: "hello".into(),
        created_at: 1,
        attachment: None,
    };
    let frame = ServerFrame::Message { message };
    assert_eq!(
        settle(frame.clone(), &mut sender, &held),
        Settled::Frame(frame)
    );
    let unnamed = ServerFrame::Error {
        code: ErrorCode::RateLimited,
        message: "slow".into(),
        id: None,
        conversation_id: None,
    };
    assert_eq!(
        settle(unnamed.clone(), &mut sender, &held),
        Settled::Frame(unnamed)
    );
    assert!(sender.sent.is_empty());
}
