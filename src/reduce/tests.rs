//! The widget's frame handling, natively: adoption, replay, live messages, receipts,
//! typing, and what acks and refusals leave for the widget to do.

use tidings_protocol::{ConversationEvent, ErrorCode, Message, PresenceStatus, Role, Sender};

use super::*;

fn uuid(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

fn conversation(n: u128, started_at: i64, status: ConversationStatus) -> Conversation {
    Conversation {
        id: uuid(n),
        visitor_id: uuid(99),
        status,
        assigned_agent: None,
        started_at,
        assigned_at: None,
        ended_at: None,
        rating: None,
        feedback: None,
        visitor_name: None,
        visitor_email: None,
        visitor_user_id: None,
        page_url: None,
        user_agent: None,
        last_seq: 120,
        last_activity_at: started_at,
        last_message_preview: None,
        visitor_read_seq: 0,
        agent_read_seq: 0,
        agent_delivered_seq: 0,
        unread: 0,
        visitor_online: true,
        visitor_last_seen_at: None,
    }
}

fn message(conversation: u128, seq: u64, sender: Sender) -> Message {
    Message {
        id: uuid(1000 + seq as u128),
        conversation_id: uuid(conversation),
        seq,
        sender,
        author_name: Some("Bea".into()),
        agent_id: None,
        body: format!("m{seq}"),
        created_at: 5,
        attachment: None,
    }
}

fn hello(visitor: u128, email: bool) -> ServerFrame {
    ServerFrame::Hello {
        version: 1,
        role: Role::Visitor,
        visitor_id: Some(uuid(visitor)),
        agent: None,
        heartbeat_interval_ms: 0,
        heartbeat_timeout_ms: 0,
        availability: PresenceStatus::Away,
        now: 0,
        email,
    }
}

/// A model showing conversation 1, subscribed and replayed up to seq 120.
fn live() -> Model {
    let mut model = Model::default();
    adopt(
        &mut model,
        conversation(1, 10, ConversationStatus::Waiting),
        false,
    );
    apply(
        &mut model,
        ServerFrame::Synced {
            conversation_id: uuid(1),
            last_seq: 120,
            after_seq: 120 - TAIL,
        },
    );
    model.held.delivered_sent = 120;
    model.conversation_changed = false;
    model.timeline_changed = false;
    model
}

#[test]
fn hello_shows_availability_and_email_and_a_new_visitor_loads_their_conversation() {
    let mut model = Model::default();
    assert_eq!(
        apply(&mut model, hello(5, true)),
        vec![
            Effect::Availability(PresenceStatus::Away),
            Effect::Email(true)
        ]
    );
    // Reconnecting as the same visitor loads nothing; joined to another one, it does.
    assert!(!apply(&mut model, hello(5, false)).contains(&Effect::LoadLatest));
    assert!(apply(&mut model, hello(6, false)).contains(&Effect::LoadLatest));
}

#[test]
fn the_first_conversation_is_subscribed_from_its_tail() {
    let mut model = Model::default();
    let effects = adopt(
        &mut model,
        conversation(1, 10, ConversationStatus::Waiting),
        false,
    );
    assert_eq!(
        effects,
        vec![Effect::Subscribe {
            conversation_id: uuid(1),
            after_seq: 120 - TAIL
        }]
    );
    assert_eq!(model.current(), Some(uuid(1)));
    // The snapshot answering that subscribe: already streamed, nothing more to ask.
    let effects = apply(
        &mut model,
        ServerFrame::Snapshot {
            conversation: conversation(1, 10, ConversationStatus::Waiting),
        },
    );
    assert!(effects.is_empty());
}

#[test]
fn another_tabs_snapshot_and_synced_on_the_shared_socket_leave_this_page_its_own_subscribe() {
    // A page that just loaded follows the tab holding the socket, which subscribed from
    // seq 118 (all it lacked). Its snapshot makes this page subscribe from its own point.
    let mut model = Model::default();
    let effects = apply(
        &mut model,
        ServerFrame::Snapshot {
            conversation: conversation(1, 10, ConversationStatus::Waiting),
        },
    );
    assert_eq!(
        effects,
        vec![Effect::Subscribe {
            conversation_id: uuid(1),
            after_seq: 120 - TAIL
        }]
    );
    // The other tab's replay and `synced` come first; then this page's own replay.
    let frame = |seq| ServerFrame::Message {
        message: message(1, seq, Sender::Agent),
    };
    let synced = |after_seq| ServerFrame::Synced {
        conversation_id: uuid(1),
        last_seq: 120,
        after_seq,
    };
    for seq in 119..=120 {
        apply(&mut model, frame(seq));
    }
    // The other tab's replay started above what this page holds: its end is not this
    // page's, which still lacks 71..=118 and resumes from its own point.
    assert!(apply(&mut model, synced(118)).is_empty());
    assert_eq!(model.timeline.resume_seq(), 120 - TAIL);
    assert!(model.held.synced.is_empty());
    for seq in 120 - TAIL + 1..=120 {
        apply(&mut model, frame(seq));
    }
    apply(&mut model, synced(120 - TAIL));
    let seqs: Vec<u64> = model.timeline.messages().map(|m| m.seq).collect();
    assert_eq!(seqs, (120 - TAIL + 1..=120).collect::<Vec<_>>());
    assert_eq!(model.timeline.resume_seq(), 120);
    assert_eq!(model.held.synced, vec![uuid(1)]);
}

#[test]
fn a_reloaded_page_whose_subscribe_was_lost_still_resumes_from_its_own_point() {
    // The page loaded its conversation over HTTP and asked to follow it from the start; the
    // leader's socket was not up yet, so nothing went out. The leader's own replay (from
    // seq 2, what it lacked) and a live message arrive on the shared socket.
    let mut model = Model::default();
    let mut shown = conversation(1, 10, ConversationStatus::Active);
    shown.last_seq = 2;
    let effects = adopt(&mut model, shown.clone(), false);
    assert_eq!(
        effects,
        vec![Effect::Subscribe {
            conversation_id: uuid(1),
            after_seq: 0
        }]
    );
    apply(
        &mut model,
        ServerFrame::Snapshot {
            conversation: shown,
        },
    );
    let live = apply(
        &mut model,
        ServerFrame::Synced {
            conversation_id: uuid(1),
            last_seq: 2,
            after_seq: 2,
        },
    );
    assert!(live.is_empty(), "not this page's replay: {live:?}");
    apply(
        &mut model,
        ServerFrame::Message {
            message: message(1, 3, Sender::Agent),
        },
    );
    // The next connection subscribes from here: the two earlier messages are replayed.
    assert_eq!(model.timeline.resume_seq(), 0);
    for seq in 1..=3 {
        apply(
            &mut model,
            ServerFrame::Message {
                message: message(1, seq, Sender::Visitor),
            },
        );
    }
    apply(
        &mut model,
        ServerFrame::Synced {
            conversation_id: uuid(1),
            last_seq: 3,
            after_seq: 0,
        },
    );
    let seqs: Vec<u64> = model.timeline.messages().map(|m| m.seq).collect();
    assert_eq!(seqs, vec![1, 2, 3]);
    assert_eq!(model.timeline.resume_seq(), 3);
}

#[test]
fn a_hidden_seq_moves_the_resume_point_past_it_only_once_everything_below_is_here() {
    let mut model = live();
    // Seq 121 is a private note: the visitor gets a `synced` in its place.
    let note = |seq: u64| ServerFrame::Synced {
        conversation_id: uuid(1),
        last_seq: seq,
        after_seq: seq - 1,
    };
    apply(&mut model, note(121));
    assert_eq!(model.timeline.resume_seq(), 121);
    // The next one arrives while 122 is missing (its copy is on the way): the floor waits.
    apply(&mut model, note(123));
    assert_eq!(model.timeline.resume_seq(), 121);
}

#[test]
fn a_newer_conversation_replaces_the_shown_one_keeping_unsent_messages() {
    let mut model = live();
    model.timeline.insert(message(1, 121, Sender::Visitor));
    model.timeline.add_local(LocalMessage {
        id: uuid(7),
        sender: Sender::Visitor,
        author_name: None,
        body: "unsent".into(),
        created_at: 1,
        refused: None,
    });
    let effects = apply(
        &mut model,
        ServerFrame::Conversation {
            event: ConversationEvent::Created,
            conversation: conversation(2, 20, ConversationStatus::Waiting),
        },
    );
    assert!(effects.contains(&Effect::HideTyping));
    assert!(effects.iter().any(
        |e| matches!(e, Effect::Subscribe { conversation_id, .. } if *conversation_id == uuid(2))
    ));
    assert_eq!(model.current(), Some(uuid(2)));
    assert_eq!(model.timeline.messages().count(), 0);
    assert_eq!(model.timeline.local().len(), 1);
    assert_eq!(model.held.delivered_sent, 0);
    // An older one never comes back over it.
    let effects = adopt(
        &mut model,
        conversation(1, 10, ConversationStatus::Ended),
        false,
    );
    assert!(effects.is_empty());
    assert_eq!(model.current(), Some(uuid(2)));
}

#[test]
fn a_report_of_the_shown_conversation_never_moves_it_back() {
    let mut model = live();
    let mut ended = conversation(1, 10, ConversationStatus::Ended);
    ended.agent_read_seq = 5;
    apply(
        &mut model,
        ServerFrame::Conversation {
            event: ConversationEvent::Ended,
            conversation: ended,
        },
    );
    let stale = conversation(1, 10, ConversationStatus::Active);
    let effects = adopt(&mut model, stale, false);
    assert!(effects.is_empty());
    let shown = model.conversation.as_ref().unwrap();
    assert_eq!(shown.status, ConversationStatus::Ended);
    assert_eq!(shown.agent_read_seq, 5);
}

#[test]
fn a_live_agent_message_chimes_is_announced_and_reported_delivered() {
    let mut model = live();
    let effects = apply(
        &mut model,
        ServerFrame::Message {
            message: message(1, 121, Sender::Agent),
        },
    );
    assert_eq!(
        effects,
        vec![
            Effect::HideTyping,
            Effect::AgentMessage {
                body: "m121".into(),
                author: Some("Bea".into()),
                created_at: 5
            },
            Effect::Delivered {
                conversation_id: uuid(1),
                seq: 121
            },
        ]
    );
    // Support wrote: the waiting conversation shows as handled.
    assert_eq!(
        model.conversation.as_ref().unwrap().status,
        ConversationStatus::Active
    );
    // The same message again (a replay after a reconnect) does nothing.
    let again = apply(
        &mut model,
        ServerFrame::Message {
            message: message(1, 121, Sender::Agent),
        },
    );
    assert!(again.is_empty());
}

#[test]
fn replayed_messages_stay_quiet_until_synced_then_delivery_is_reported_once() {
    let mut model = Model::default();
    adopt(
        &mut model,
        conversation(1, 10, ConversationStatus::Active),
        false,
    );
    let effects = apply(
        &mut model,
        ServerFrame::Message {
            message: message(1, 71, Sender::Agent),
        },
    );
    assert_eq!(effects, vec![Effect::HideTyping]);
    let effects = apply(
        &mut model,
        ServerFrame::Synced {
            conversation_id: uuid(1),
            last_seq: 120,
            after_seq: 120 - TAIL,
        },
    );
    assert_eq!(
        effects,
        vec![Effect::Delivered {
            conversation_id: uuid(1),
            seq: 120
        }]
    );
    assert_eq!(model.held.synced, vec![uuid(1)]);
}

#[test]
fn messages_and_frames_of_other_conversations_are_ignored() {
    let mut model = live();
    let effects = apply(
        &mut model,
        ServerFrame::Message {
            message: message(2, 1, Sender::Agent),
        },
    );
    assert!(effects.is_empty());
    let effects = apply(
        &mut model,
        ServerFrame::Typing {
            conversation_id: uuid(2),
            role: Role::Agent,
            name: None,
            typing: true,
            ttl_ms: 5_000,
        },
    );
    assert!(effects.is_empty());
    assert!(!model.timeline_changed && !model.conversation_changed);
}

#[test]
fn typing_shows_and_only_the_latest_timer_hides_it() {
    let mut model = live();
    let typing = |on| ServerFrame::Typing {
        conversation_id: uuid(1),
        role: Role::Agent,
        name: Some("Bea".into()),
        typing: on,
        ttl_ms: 5_000,
    };
    let first = apply(&mut model, typing(true));
    assert_eq!(
        first,
        vec![
            Effect::ShowTyping(Some("Bea".into())),
            Effect::TypingLapse {
                generation: 1,
                after_ms: 5_000
            }
        ]
    );
    apply(&mut model, typing(true));
    assert!(typing_lapsed(&mut model, 1).is_empty());
    assert_eq!(typing_lapsed(&mut model, 2), vec![Effect::HideTyping]);
    assert_eq!(apply(&mut model, typing(false)), vec![Effect::HideTyping]);
}

#[test]
fn the_agents_receipts_only_grow_and_read_implies_delivered() {
    let mut model = live();
    let receipt = |read, delivered| ServerFrame::Receipt {
        conversation_id: uuid(1),
        role: Role::Agent,
        read_seq: read,
        delivered_seq: delivered,
    };
    apply(&mut model, receipt(3, 2));
    apply(&mut model, receipt(1, 1));
    let shown = model.conversation.as_ref().unwrap();
    assert_eq!((shown.agent_read_seq, shown.agent_delivered_seq), (3, 3));
}

#[test]
fn an_ack_before_the_conversation_is_known_fetches_it_and_tells_the_tabs() {
    let mut model = Model::default();
    let ack = |model: &mut Model| {
        settled(
            model,
            Settled::Acknowledged {
                id: uuid(7),
                conversation_id: uuid(1),
                seq: 1,
                created_at: 3,
                was_ours: true,
            },
        )
    };
    assert_eq!(
        ack(&mut model),
        vec![Effect::OutboxChanged, Effect::FetchConversation(uuid(1))]
    );
    let mut model = live();
    assert_eq!(ack(&mut model), vec![Effect::OutboxChanged]);
    let refused = settled(
        &mut model,
        Settled::Refused {
            id: uuid(7),
            conversation_id: None,
            code: ErrorCode::ConversationEnded,
            reason: "ended".into(),
        },
    );
    assert_eq!(refused, vec![Effect::OutboxChanged]);
    assert!(settled(&mut model, Settled::Nothing).is_empty());
}

#[test]
fn starting_anew_keeps_unsent_messages_and_ended_conversations_stay_away() {
    let mut model = live();
    model.timeline.add_local(LocalMessage {
        id: uuid(7),
        sender: Sender::Visitor,
        author_name: None,
        body: "unsent".into(),
        created_at: 1,
        refused: None,
    });
    assert_eq!(start_new(&mut model), vec![Effect::HideTyping]);
    assert!(model.conversation.is_none());
    assert_eq!(model.timeline.local().len(), 1);
    assert!(adopt(
        &mut model,
        conversation(1, 10, ConversationStatus::Ended),
        false
    )
    .is_empty());
    assert!(model.conversation.is_none());
    // A new open one is shown, and ends the "started anew" state.
    adopt(
        &mut model,
        conversation(3, 30, ConversationStatus::Waiting),
        false,
    );
    assert_eq!(model.current(), Some(uuid(3)));
    assert!(!model.held.started_new);
}

#[test]
fn the_outbox_shows_pending_and_failed_messages_of_this_conversation_only() {
    let mut model = live();
    let entry = |n: u128, conversation: Option<Uuid>, state: EntryState| OutboxEntry {
        id: uuid(n),
        conversation_id: conversation,
        body: format!("e{n}"),
        created_at: n as i64,
        order: 0,
        state,
    };
    outbox_loaded(
        &mut model,
        vec![
            entry(1, None, EntryState::Pending),
            entry(
                2,
                Some(uuid(1)),
                EntryState::Failed {
                    code: ErrorCode::MessageTooLong,
                    reason: "long".into(),
                },
            ),
            entry(3, Some(uuid(2)), EntryState::Pending),
        ],
    );
    let local = model.timeline.local();
    assert_eq!(local.len(), 2);
    assert!(local[0].refused.is_none());
    assert_eq!(
        local[1].refused.as_ref().unwrap().code,
        ErrorCode::MessageTooLong
    );
    // Loading again adds nothing twice.
    outbox_loaded(&mut model, vec![entry(1, None, EntryState::Pending)]);
    assert_eq!(model.timeline.local().len(), 2);
}

#[test]
fn forgetting_empties_the_panel_and_the_visitor() {
    let mut model = live();
    model.held.visitor_id = Some(uuid(5));
    forgotten(&mut model);
    assert!(model.conversation.is_none() && model.held.visitor_id.is_none());
    assert!(model.timeline.is_empty());
}

#[test]
fn reads_raise_the_visitors_read_seq_of_the_shown_conversation_only() {
    let mut model = live();
    read_up_to(&mut model, uuid(1), 7);
    read_up_to(&mut model, uuid(1), 3);
    read_up_to(&mut model, uuid(2), 9);
    assert_eq!(model.conversation.as_ref().unwrap().visitor_read_seq, 7);
}

#[test]
fn a_streamed_copy_of_a_pending_message_confirms_it_even_without_its_ack() {
    // Written offline into an ended conversation, the message started a new one: its ack
    // named a conversation not shown yet, so the copy streamed after the switch is what
    // turns the pending message into a sent one.
    let mut model = live();
    let mut mine = message(2, 1, Sender::Visitor);
    model.timeline.add_local(LocalMessage {
        id: mine.id,
        sender: Sender::Visitor,
        author_name: None,
        body: mine.body.clone(),
        created_at: 1,
        refused: None,
    });
    adopt(
        &mut model,
        conversation(2, 20, ConversationStatus::Waiting),
        false,
    );
    mine.conversation_id = uuid(2);
    apply(&mut model, ServerFrame::Message { message: mine });
    assert!(model.timeline.local().is_empty());
    assert_eq!(model.timeline.messages().count(), 1);
}
