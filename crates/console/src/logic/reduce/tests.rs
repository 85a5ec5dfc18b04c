//! The console's frame handling, natively: sync, receipts, typing, alerts and loads.

use tidings_protocol::{
    Agent, ConversationEvent, ConversationStatus, Message, PresenceStatus, Role, Sender,
};

use super::*;
use crate::logic::list::tests_support::{assigned, conversation, ME};
use crate::logic::model::Parts;
use crate::logic::outgoing_receipts::Receipt;

const CONV: u128 = 1;

fn uuid(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

fn model() -> Model {
    let mut model = Model::with_parts(Parts::default());
    model.viewer = Some(ME);
    model.my_name = Some("Ann".into());
    model.now = 1_000_000;
    model
}

/// A model with conversation 1 open on screen, loaded, in a visible tab.
fn viewing() -> Model {
    let mut model = model();
    model.open_conversation = Some(uuid(CONV));
    let _ = open(&mut model, uuid(CONV));
    let _ = latest_loaded(
        &mut model,
        assigned(conversation(CONV, ConversationStatus::Active, 5), 7),
        HistoryPage {
            messages: vec![message(1, 1)],
            has_more: false,
        },
        Vec::new(),
    );
    sent_receipts(&mut model);
    model.changed = Default::default();
    model
}

fn message(n: u128, seq: u64) -> Message {
    Message {
        id: uuid(100 + n),
        conversation_id: uuid(CONV),
        seq,
        sender: Sender::Visitor,
        author_name: None,
        agent_id: None,
        body: format!("message {n}"),
        created_at: 5,
        attachment: None,
    }
}

/// The receipts a flush sends a second from now (flushes are paced).
fn sent_receipts(model: &mut Model) -> Vec<Receipt> {
    model.now += 1_000;
    let mut sent = Vec::new();
    model.receipts.flush(model.now as f64, |r| {
        sent.push(r);
        true
    });
    sent
}

fn hello(agent: Option<Agent>) -> ServerFrame {
    ServerFrame::Hello {
        version: 1,
        role: Role::Agent,
        visitor_id: None,
        agent,
        heartbeat_interval_ms: 0,
        heartbeat_timeout_ms: 0,
        availability: PresenceStatus::Online,
        now: 0,
        email: false,
    }
}

#[test]
fn hello_watches_the_queue_reports_presence_and_flushes_receipts() {
    let mut model = model();
    model.presence = PresenceStatus::Away;
    let agent = Agent {
        id: ME.agent_id,
        email: "a@b".into(),
        name: "Ann B".into(),
        is_admin: false,
        status: PresenceStatus::Online,
    };
    let effects = apply(&mut model, hello(Some(agent.clone())));
    assert_eq!(
        effects,
        vec![
            Effect::AgentChanged(agent),
            Effect::Send(ClientFrame::WatchQueue),
            Effect::Send(ClientFrame::Presence {
                status: PresenceStatus::Away
            }),
            Effect::FlushReceipts,
        ]
    );
}

#[test]
fn a_new_message_in_the_viewed_conversation_is_read_at_once() {
    let mut model = viewing();
    model
        .conversations_mut()
        .get_mut(&uuid(CONV))
        .unwrap()
        .unread = 1;
    let effects = apply(
        &mut model,
        ServerFrame::Message {
            message: message(2, 2),
        },
    );
    assert_eq!(effects, vec![Effect::FlushReceipts]);
    assert_eq!(
        sent_receipts(&mut model),
        vec![Receipt::Read {
            conversation_id: uuid(CONV),
            seq: 2
        }]
    );
    let thread = model.thread(uuid(CONV)).unwrap();
    assert_eq!(thread.receipts.agent_read_seq, 2);
    assert_eq!(model.conversations()[&uuid(CONV)].unread, 0);
    assert!(model.changed.threads && model.changed.conversations);
}

#[test]
fn a_message_in_a_hidden_tab_is_only_delivered() {
    let mut model = viewing();
    model.tab_visible = false;
    apply(
        &mut model,
        ServerFrame::Message {
            message: message(2, 2),
        },
    );
    assert_eq!(
        sent_receipts(&mut model),
        vec![Receipt::Delivered {
            conversation_id: uuid(CONV),
            seq: 2
        }]
    );
    assert_eq!(model.thread(uuid(CONV)).unwrap().receipts.agent_read_seq, 1);
}

#[test]
fn a_repeated_message_changes_nothing_and_owes_nothing() {
    let mut model = viewing();
    let effects = apply(
        &mut model,
        ServerFrame::Message {
            message: message(1, 1),
        },
    );
    assert!(effects.is_empty());
    assert!(sent_receipts(&mut model).is_empty());
    assert_eq!(model.thread(uuid(CONV)).unwrap().timeline.len(), 1);
}

#[test]
fn a_message_for_a_conversation_not_held_is_dropped() {
    let mut model = model();
    let effects = apply(
        &mut model,
        ServerFrame::Message {
            message: message(1, 1),
        },
    );
    assert!(effects.is_empty());
    assert!(!model.changed.threads);
}

#[test]
fn synced_reports_what_the_replay_brought() {
    let mut model = viewing();
    model.tab_visible = false;
    model.update_thread(uuid(CONV), |t| t.timeline.insert(message(2, 2)));
    let effects = apply(
        &mut model,
        ServerFrame::Synced {
            conversation_id: uuid(CONV),
            last_seq: 2,
            after_seq: 0,
        },
    );
    assert_eq!(effects, vec![Effect::FlushReceipts]);
    assert_eq!(
        sent_receipts(&mut model),
        vec![Receipt::Delivered {
            conversation_id: uuid(CONV),
            seq: 2
        }]
    );
}

fn typing(role: Role, name: Option<&str>, on: bool) -> ServerFrame {
    ServerFrame::Typing {
        conversation_id: uuid(CONV),
        role,
        name: name.map(str::to_string),
        typing: on,
        ttl_ms: 5_000,
    }
}

#[test]
fn typing_shows_until_its_time_is_up_unless_renewed() {
    let mut model = viewing();
    let effects = apply(&mut model, typing(Role::Visitor, None, true));
    assert_eq!(
        effects,
        vec![Effect::TypingLapse {
            conversation_id: uuid(CONV),
            after_ms: 5_050
        }]
    );
    let notice = model.thread(uuid(CONV)).unwrap().typing.clone().unwrap();
    assert_eq!(notice.who, Typist::Visitor);
    // Renewed 3 s later: the first timer finds it still due later.
    model.now += 3_000;
    apply(&mut model, typing(Role::Visitor, None, true));
    model.now += 2_050;
    typing_lapsed(&mut model, uuid(CONV));
    assert!(model.thread(uuid(CONV)).unwrap().typing.is_some());
    model.now += 3_000;
    typing_lapsed(&mut model, uuid(CONV));
    assert!(model.thread(uuid(CONV)).unwrap().typing.is_none());
}

#[test]
fn typing_names_other_agents_and_ignores_our_own_echo() {
    let mut model = viewing();
    let effects = apply(&mut model, typing(Role::Agent, Some("Ann"), true));
    assert!(effects.is_empty());
    assert!(model.thread(uuid(CONV)).unwrap().typing.is_none());
    apply(&mut model, typing(Role::Agent, Some("Bob"), true));
    assert_eq!(
        model
            .thread(uuid(CONV))
            .unwrap()
            .typing
            .as_ref()
            .unwrap()
            .who,
        Typist::Agent("Bob".into())
    );
    apply(&mut model, typing(Role::Agent, None, true));
    assert_eq!(
        model
            .thread(uuid(CONV))
            .unwrap()
            .typing
            .as_ref()
            .unwrap()
            .who,
        Typist::AnotherAgent
    );
    apply(&mut model, typing(Role::Agent, None, false));
    assert!(model.thread(uuid(CONV)).unwrap().typing.is_none());
}

#[test]
fn a_lost_connection_clears_typing_and_owes_receipts_again() {
    let mut model = viewing();
    model.tab_visible = false;
    apply(&mut model, typing(Role::Visitor, None, true));
    apply(
        &mut model,
        ServerFrame::Message {
            message: message(2, 2),
        },
    );
    assert_eq!(sent_receipts(&mut model).len(), 1);
    disconnected(&mut model);
    assert!(model.thread(uuid(CONV)).unwrap().typing.is_none());
    // Nothing is re-sent by itself: the next connection's frames report again.
    model.now += 10_000;
    assert!(sent_receipts(&mut model).is_empty());
}

#[test]
fn receipts_raise_the_thread_and_never_lower_it() {
    let mut model = viewing();
    let receipt = |read, delivered| ServerFrame::Receipt {
        conversation_id: uuid(CONV),
        role: Role::Visitor,
        read_seq: read,
        delivered_seq: delivered,
    };
    apply(&mut model, receipt(3, 4));
    apply(&mut model, receipt(1, 1));
    let receipts = model.thread(uuid(CONV)).unwrap().receipts;
    assert_eq!(
        (receipts.visitor_read_seq, receipts.visitor_delivered_seq),
        (3, 4)
    );
}

#[test]
fn a_new_waiting_conversation_chimes_and_is_reported_delivered() {
    let mut model = model();
    let mut new = conversation(2, ConversationStatus::Waiting, 10);
    new.last_seq = 1;
    let effects = apply(
        &mut model,
        ServerFrame::Conversation {
            event: ConversationEvent::Created,
            conversation: new.clone(),
        },
    );
    assert!(effects.contains(&Effect::Chime));
    assert!(effects.contains(&Effect::FlushReceipts));
    assert!(model.conversations().contains_key(&new.id));
    assert_eq!(
        sent_receipts(&mut model),
        vec![Receipt::Delivered {
            conversation_id: new.id,
            seq: 1
        }]
    );
    // The same again (a stale or repeated frame) does nothing.
    let again = apply(
        &mut model,
        ServerFrame::Conversation {
            event: ConversationEvent::Updated,
            conversation: new,
        },
    );
    assert!(!again.contains(&Effect::Chime));
}

#[test]
fn an_assignment_to_me_alerts_and_follows_the_open_conversation_again() {
    let mut model = viewing();
    // Someone else took it: out of sight, still on screen.
    let theirs = assigned(conversation(CONV, ConversationStatus::Active, 6), 8);
    apply(
        &mut model,
        ServerFrame::Conversation {
            event: ConversationEvent::Assigned,
            conversation: theirs,
        },
    );
    let mine = assigned(conversation(CONV, ConversationStatus::Active, 7), 7);
    let effects = apply(
        &mut model,
        ServerFrame::Conversation {
            event: ConversationEvent::Assigned,
            conversation: mine.clone(),
        },
    );
    assert!(effects.contains(&Effect::HandedOver(mine)));
    assert!(effects.contains(&Effect::Subscribe {
        conversation_id: uuid(CONV),
        after_seq: 1
    }));
}

#[test]
fn a_conversation_refused_before_is_loaded_afresh_when_back_in_sight() {
    let mut model = model();
    let _ = open(&mut model, uuid(CONV));
    load_failed(&mut model, uuid(CONV), LoadFailure::NotVisible);
    assert!(model.thread(uuid(CONV)).unwrap().unavailable);
    let mine = assigned(conversation(CONV, ConversationStatus::Active, 7), 7);
    let effects = apply(
        &mut model,
        ServerFrame::Conversation {
            event: ConversationEvent::Assigned,
            conversation: mine,
        },
    );
    assert!(effects.contains(&Effect::LoadLatest(uuid(CONV))));
    assert!(!model.thread(uuid(CONV)).unwrap().unavailable);
}

#[test]
fn the_first_queue_does_not_chime_and_restarts_the_waiting_pages() {
    let mut model = model();
    let waiting = conversation(2, ConversationStatus::Waiting, 10);
    let effects = apply(
        &mut model,
        ServerFrame::Queue {
            conversations: vec![waiting.clone()],
        },
    );
    assert!(!effects.contains(&Effect::Chime));
    assert!(effects.contains(&Effect::RefreshList(Filter::Waiting)));
    assert!(model.queue_received());
    assert_eq!(
        sent_receipts(&mut model),
        vec![Receipt::Delivered {
            conversation_id: waiting.id,
            seq: 1
        }]
    );
    // A later queue with a new waiting conversation chimes.
    let effects = apply(
        &mut model,
        ServerFrame::Queue {
            conversations: vec![waiting, conversation(3, ConversationStatus::Waiting, 11)],
        },
    );
    assert!(effects.contains(&Effect::Chime));
}

#[test]
fn a_rate_limit_refusal_sends_recent_receipts_again_later() {
    let mut model = viewing();
    model.tab_visible = false;
    apply(
        &mut model,
        ServerFrame::Message {
            message: message(2, 2),
        },
    );
    assert_eq!(sent_receipts(&mut model).len(), 1);
    let effects = apply(
        &mut model,
        ServerFrame::Error {
            code: ErrorCode::RateLimited,
            message: "slow down".into(),
            id: None,
            conversation_id: None,
        },
    );
    assert_eq!(effects[0], Effect::FlushReceipts);
    assert!(matches!(effects[1], Effect::Warn(_)));
    // Paused first, then what was sent shortly before goes again.
    let again = sent_receipts(&mut model);
    assert!(!again.is_empty());
    assert!(again.iter().all(|r| r.frame()
        == ClientFrame::Read {
            conversation_id: uuid(CONV),
            seq: 1
        }
        || r.frame()
            == ClientFrame::Delivered {
                conversation_id: uuid(CONV),
                seq: 2
            }));
}

#[test]
fn the_team_canned_responses_and_whereabouts_follow_their_frames() {
    let mut model = model();
    let agent = Agent {
        id: uuid(8),
        email: "b@c".into(),
        name: "Bob".into(),
        is_admin: false,
        status: PresenceStatus::Online,
    };
    apply(
        &mut model,
        ServerFrame::Agents {
            agents: vec![agent],
        },
    );
    apply(
        &mut model,
        ServerFrame::AgentPresence {
            agent_id: uuid(8),
            status: PresenceStatus::Away,
            name: "Bob".into(),
        },
    );
    assert_eq!(model.agents()[0].status, PresenceStatus::Away);
    apply(
        &mut model,
        ServerFrame::VisitorPage {
            visitor_id: uuid(50),
            conversation_id: uuid(CONV),
            page_url: Some("https://shop/a".into()),
            time_zone: None,
        },
    );
    assert_eq!(
        model.whereabouts()[&uuid(50)].page_url.as_deref(),
        Some("https://shop/a")
    );
    assert!(model.changed.agents && model.changed.whereabouts && !model.changed.canned);
}

#[test]
fn the_latest_page_shows_unsent_messages_and_subscribes_from_the_floor() {
    let mut model = model();
    let _ = open(&mut model, uuid(CONV));
    let pending = OutboxEntry {
        id: uuid(300),
        conversation_id: Some(uuid(CONV)),
        body: "still here".into(),
        created_at: 9,
        order: 1,
        state: EntryState::Failed {
            code: ErrorCode::ConversationEnded,
            reason: "ended".into(),
        },
    };
    let elsewhere = OutboxEntry {
        id: uuid(301),
        conversation_id: Some(uuid(2)),
        ..pending.clone()
    };
    let effects = latest_loaded(
        &mut model,
        assigned(conversation(CONV, ConversationStatus::Active, 5), 7),
        HistoryPage {
            messages: vec![message(40, 40), message(41, 41)],
            has_more: true,
        },
        vec![pending, elsewhere],
    );
    assert!(effects.contains(&Effect::Subscribe {
        conversation_id: uuid(CONV),
        after_seq: 41
    }));
    let thread = model.thread(uuid(CONV)).unwrap();
    assert!(thread.loaded && thread.has_more);
    assert_eq!(thread.timeline.local().len(), 1);
    assert_eq!(
        thread.timeline.local()[0].author_name.as_deref(),
        Some("Ann")
    );
    assert!(thread.timeline.local()[0].refused.is_some());
    // Older pages: one load at a time, from the first seq held.
    assert_eq!(
        load_older(&mut model, uuid(CONV)),
        vec![Effect::LoadOlder {
            conversation_id: uuid(CONV),
            before_seq: 40
        }]
    );
    assert!(load_older(&mut model, uuid(CONV)).is_empty());
    older_loaded(
        &mut model,
        uuid(CONV),
        Ok(HistoryPage {
            messages: vec![message(39, 39)],
            has_more: false,
        }),
    );
    let thread = model.thread(uuid(CONV)).unwrap();
    assert_eq!(thread.timeline.first_seq(), Some(39));
    assert!(!thread.has_more && !thread.loading_older);
}

#[test]
fn a_conversation_closed_before_its_page_arrives_is_not_subscribed() {
    let mut model = model();
    assert_eq!(
        open(&mut model, uuid(CONV)),
        vec![Effect::LoadLatest(uuid(CONV))]
    );
    assert!(open(&mut model, uuid(CONV)).is_empty());
    assert_eq!(
        close(&mut model, uuid(CONV)),
        vec![Effect::Send(ClientFrame::Unsubscribe {
            conversation_id: uuid(CONV)
        })]
    );
    let effects = latest_loaded(
        &mut model,
        conversation(CONV, ConversationStatus::Waiting, 5),
        HistoryPage {
            messages: vec![message(1, 1)],
            has_more: false,
        },
        Vec::new(),
    );
    assert!(!effects
        .iter()
        .any(|e| matches!(e, Effect::Subscribe { .. })));
    assert!(model.thread(uuid(CONV)).is_none());
}

#[test]
fn an_unauthorized_load_ends_the_session() {
    let mut model = model();
    let _ = open(&mut model, uuid(CONV));
    assert_eq!(
        load_failed(&mut model, uuid(CONV), LoadFailure::Unauthorized),
        vec![Effect::SessionEnded]
    );
}

#[test]
fn the_agents_own_message_shows_pending_then_failed_then_gone() {
    let mut model = viewing();
    message_written(&mut model, uuid(CONV), uuid(400), "hi".into());
    let thread = model.thread(uuid(CONV)).unwrap();
    assert_eq!(
        thread.timeline.local()[0].author_name.as_deref(),
        Some("Ann")
    );
    model.update_thread(uuid(CONV), |t| {
        t.timeline
            .refuse(uuid(400), ErrorCode::ConversationEnded, "ended".into())
    });
    message_retried(&mut model, uuid(CONV), uuid(400));
    assert!(model.thread(uuid(CONV)).unwrap().timeline.local()[0]
        .refused
        .is_none());
    message_discarded(&mut model, uuid(CONV), uuid(400));
    assert!(model
        .thread(uuid(CONV))
        .unwrap()
        .timeline
        .local()
        .is_empty());
}

#[test]
fn settled_acks_and_refusals_need_nothing_more_from_the_console() {
    let mut model = viewing();
    let effects = settled(
        &mut model,
        Settled::Acknowledged {
            id: uuid(1),
            conversation_id: uuid(CONV),
            seq: 2,
            created_at: 1,
            was_ours: true,
        },
    );
    assert!(effects.is_empty());
    assert_eq!(model.changed, Default::default());
}
