//! The message list's rows, written against the DOM directly: a small keyed list of our
//! own instead of Leptos's `For` with a reactive view per row, which were the largest
//! view code in the widget. The timeline is a sorted `Vec` with stable keys and a row
//! changes only in its delivery state, so [`MessageRows::update`] keeps the element of
//! every row whose key is unchanged and rewrites only its `data-state` and ticks, builds
//! the new rows, removes the gone ones and puts them in order. The markup is the one the
//! bubble components wrote (the `data-testid`s of SPEC §8): day separators, system
//! notices, and bubbles with author, text or file, time, ticks and a refusal's Retry and
//! Discard (whose clicks the list hands to [`MessageRows::clicked`]).

use tidings_client::file_size::size_label;
use tidings_client::linkify::{segments, Segment};
use tidings_client::{DeliveryState, Entry};
use tidings_protocol::{Attachment, Sender};
use uuid::Uuid;
use wasm_bindgen::UnwrapThrowExt;
use web_sys::{Document, Element, Node};

use super::avatar::{avatar_style, initial};
use crate::texts::{t, tf};
use crate::time::{day_key, day_label, full_label, time_label};

/// One row of the list.
pub enum Row {
    /// A separator: its day (`day_key`) and label.
    Day(i64, String),
    Message {
        entry: Entry,
        /// The first of a run by the same sender (agents' show who wrote).
        lead: bool,
    },
}

/// A row's identity: message id (nil for a day), seq (the day for a day), refused, lead.
/// A message that is acknowledged or refused, or stops leading a run, gets a new row, so
/// everything but its delivery state is written once.
type Key = (Uuid, u64, bool, bool);

impl Row {
    fn key(&self) -> Key {
        match self {
            Row::Day(day, _) => (Uuid::nil(), *day as u64, false, false),
            Row::Message { entry, lead } => {
                let failed = matches!(entry, Entry::Local(l) if l.refused.is_some());
                (entry.id(), entry.seq().unwrap_or(0), failed, *lead)
            }
        }
    }
}

/// The timeline's entries as rows: day separators interleaved, `lead` on the first of
/// each run by one sender.
pub fn rows(entries: Vec<Entry>, locale: &str) -> Vec<Row> {
    let mut out = Vec::with_capacity(entries.len() + 2);
    let mut day = None;
    let mut previous: Option<Sender> = None;
    for entry in entries {
        let key = day_key(entry.created_at());
        if day != Some(key) {
            day = Some(key);
            previous = None;
            out.push(Row::Day(key, day_label(entry.created_at(), locale)));
        }
        let lead = previous != Some(entry.sender());
        previous = Some(entry.sender());
        out.push(Row::Message { entry, lead });
    }
    out
}

/// A row on screen.
struct Shown {
    key: Key,
    element: Element,
    /// The visitor's ticks, rewritten with the delivery state.
    ticks: Option<Element>,
    /// A bubble (not a day or a system notice): it shows a delivery state.
    has_state: bool,
    /// The delivery state written last.
    state: Option<DeliveryState>,
    /// A refused message's Retry and Discard buttons.
    buttons: Option<(Element, Element)>,
}

/// What a click in the list asks for.
pub enum RowAction {
    Retry(Uuid),
    Discard(Uuid),
}

/// The rows shown in one list element.
#[derive(Default)]
pub struct MessageRows {
    shown: Vec<Shown>,
}

impl MessageRows {
    /// Makes `list` show `rows`, with times for `locale` and delivery states from the
    /// agent's receipts `(delivered, read)` and the visitor's `read_seq`.
    pub fn update(
        &mut self,
        list: &Element,
        rows: Vec<Row>,
        locale: &str,
        receipts: (u64, u64),
        read_seq: u64,
    ) {
        // The page's document, not the list's `ownerDocument`: the same one, and one
        // function of the JavaScript glue less.
        let document = crate::dom::document();
        let mut old: Vec<Option<Shown>> = std::mem::take(&mut self.shown)
            .into_iter()
            .map(Some)
            .collect();
        let mut new = Vec::with_capacity(rows.len());
        for row in rows {
            let key = row.key();
            let kept = old
                .iter_mut()
                .find_map(|slot| slot.take_if(|shown| shown.key == key));
            let mut shown = kept.unwrap_or_else(|| build(&document, &row, key, locale));
            if let (Row::Message { entry, .. }, true) = (&row, shown.has_state) {
                shown.write_state(state_of(entry, receipts, read_seq));
            }
            new.push(shown);
        }
        for gone in old.into_iter().flatten() {
            gone.element.remove();
        }
        // What is left are the new rows' kept elements, in their old order: walk them and
        // put each row where it belongs.
        let mut cursor = list.first_child();
        for shown in &new {
            let node: &Node = &shown.element;
            if cursor.as_ref() == Some(node) {
                cursor = node.next_sibling();
            } else {
                let _ = list.insert_before(node, cursor.as_ref());
            }
        }
        self.shown = new;
    }

    /// The action of the button `target`, if it is a refused message's Retry or Discard.
    pub fn clicked(&self, target: &Node) -> Option<RowAction> {
        self.shown.iter().find_map(|shown| {
            let (retry, discard) = shown.buttons.as_ref()?;
            let id = shown.key.0;
            if target == &**retry {
                Some(RowAction::Retry(id))
            } else if target == &**discard {
                Some(RowAction::Discard(id))
            } else {
                None
            }
        })
    }
}

impl Shown {
    fn write_state(&mut self, state: DeliveryState) {
        if self.state == Some(state) {
            return;
        }
        self.state = Some(state);
        set(&self.element, "data-state", state.as_str());
        if let Some(ticks) = &self.ticks {
            let (marks, label) = ticks_of(state);
            set_class(
                ticks,
                if state == DeliveryState::Read {
                    "tw-ticks tw-read"
                } else {
                    "tw-ticks"
                },
            );
            set(ticks, "aria-label", label);
            ticks.set_text_content(Some(marks));
        }
    }
}

/// The state shown on a message: the visitor's own by the agent's receipts, the agent's
/// by how far the visitor has read.
fn state_of(entry: &Entry, (delivered, read): (u64, u64), read_seq: u64) -> DeliveryState {
    match entry.sender() {
        Sender::Visitor => entry.delivery_state(delivered, read),
        _ if entry.seq().is_some_and(|s| s <= read_seq) => DeliveryState::Read,
        _ => DeliveryState::Delivered,
    }
}

fn sender_name(sender: Sender) -> &'static str {
    match sender {
        Sender::Visitor => "visitor",
        Sender::Agent => "agent",
        // The decoder refuses a note without the console's `agent-frames`: never here.
        Sender::System | Sender::Note => "system",
    }
}

/// The bubble's classes, written out rather than formatted.
fn sender_class(sender: Sender) -> &'static str {
    match sender {
        Sender::Visitor => "tw-msg tw-visitor",
        Sender::Agent => "tw-msg tw-agent",
        Sender::System | Sender::Note => "tw-msg tw-system",
    }
}

fn ticks_of(state: DeliveryState) -> (&'static str, &'static str) {
    match state {
        DeliveryState::Pending => ("🕓", t("message.sending")),
        DeliveryState::Sent => ("✓", t("message.sent")),
        DeliveryState::Delivered => ("✓✓", t("message.delivered")),
        DeliveryState::Read => ("✓✓", t("message.read")),
        DeliveryState::Failed => ("!", t("message.not_sent")),
    }
}

/// Writes the `class` attribute (through `set_attribute`, like every other attribute here: one
/// function of the JavaScript glue less than `className`).
fn set_class(element: &Element, class: &str) {
    set(element, "class", class);
}

fn set(element: &Element, name: &str, value: &str) {
    let _ = element.set_attribute(name, value);
}

/// A new `<tag>` with `class` (none when empty), appended to `parent` if given.
fn child(document: &Document, parent: Option<&Element>, tag: &str, class: &str) -> Element {
    let element = document.create_element(tag).unwrap_throw();
    if !class.is_empty() {
        set_class(&element, class);
    }
    if let Some(parent) = parent {
        let _ = parent.append_child(&element);
    }
    element
}

fn text(parent: &Element, text: &str) {
    let _ = parent.append_with_str_1(text);
}

fn build(document: &Document, row: &Row, key: Key, locale: &str) -> Shown {
    let mut shown = Shown {
        key,
        element: child(document, None, "div", "tw-day"),
        ticks: None,
        has_state: false,
        state: None,
        buttons: None,
    };
    let (entry, lead) = match row {
        Row::Day(_, label) => {
            set(&shown.element, "role", "separator");
            text(&child(document, Some(&shown.element), "span", ""), label);
            return shown;
        }
        Row::Message { entry, lead } => (entry, *lead),
    };
    let sender = entry.sender();
    let row = &shown.element;
    set(row, "data-testid", "message");
    set(row, "data-id", &entry.id().to_string());
    set(row, "data-sender", sender_name(sender));
    if sender == Sender::System {
        set_class(row, "tw-system");
        set(row, "data-state", "sent");
        message_text(document, row, entry.body());
        return shown;
    }
    let mut class = String::from(sender_class(sender));
    if lead {
        class += " tw-lead";
    }
    set_class(row, &class);
    if let (Sender::Agent, true) = (sender, lead) {
        let name = entry.author_name().unwrap_or(t("message.support"));
        let author = child(document, Some(row), "div", "tw-author");
        let avatar = child(document, Some(&author), "span", "tw-avatar");
        set(&avatar, "style", &avatar_style(name));
        set(&avatar, "aria-hidden", "true");
        text(&avatar, &initial(name));
        text(&child(document, Some(&author), "span", ""), name);
    }
    let bubble = child(document, Some(row), "div", "tw-bubble");
    match entry {
        Entry::Confirmed(m) if m.attachment.is_some() => {
            if let Some(attachment) = &m.attachment {
                attachment_view(document, &bubble, attachment);
            }
        }
        _ => message_text(document, &bubble, entry.body()),
    }
    let meta = child(document, Some(row), "div", "tw-meta");
    let at = entry.created_at();
    let time = child(document, Some(&meta), "time", "");
    set(&time, "title", &full_label(at, locale));
    text(&time, &time_label(at, locale));
    if sender == Sender::Visitor {
        shown.ticks = Some(child(document, Some(&meta), "span", "tw-ticks"));
    }
    if let Entry::Local(local) = entry {
        if let Some(refusal) = &local.refused {
            let failed = child(document, Some(row), "p", "tw-failed");
            set(&failed, "role", "alert");
            text(
                &failed,
                &tf("message.refused", &[("reason", &refusal.reason)]),
            );
            text(&failed, " ");
            let button = |label: &str| {
                let button = child(document, Some(&failed), "button", "");
                set(&button, "type", "button");
                text(&button, label);
                button
            };
            shown.buttons = Some((button(t("message.retry")), button(t("message.discard"))));
        }
    }
    shown.has_state = true;
    shown
}

/// A message body as text, never HTML: only `http(s)` URLs become links, opened in a new
/// tab with `rel="noopener noreferrer"` (SPEC 4.10).
pub fn message_text(document: &Document, parent: &Element, body: &str) {
    let span = child(document, Some(parent), "span", "tw-text");
    for segment in segments(body) {
        match segment {
            Segment::Text(part) => text(&span, part),
            Segment::Link(url) => {
                let link = child(document, Some(&span), "a", "");
                set(&link, "href", url);
                set(&link, "rel", "noopener noreferrer");
                set(&link, "target", "_blank");
                text(&link, url);
            }
        }
    }
}

/// A file message's file: a picture as a thumbnail that opens full size in a new tab, any
/// other file as a download link with its name and size.
fn attachment_view(document: &Document, parent: &Element, attachment: &Attachment) {
    let url = attachment.url.as_deref().unwrap_or_default();
    let name = &attachment.name;
    let image = attachment.content_type.starts_with("image/");
    let file = child(document, Some(parent), "div", "tw-file");
    set(&file, "data-testid", "attachment");
    set(&file, "data-kind", if image { "image" } else { "file" });
    let link = child(document, Some(&file), "a", "");
    set(&link, "href", url);
    if image {
        set(&link, "target", "_blank");
        set(&link, "rel", "noopener");
        set(&link, "title", t("upload.open_image"));
        let thumb = child(document, Some(&link), "img", "tw-thumb");
        set(&thumb, "data-testid", "attachment-image");
        set(&thumb, "src", url);
        set(&thumb, "alt", name);
    } else {
        set(&link, "data-testid", "attachment-file");
        set(&link, "download", name);
        // Joined rather than `format!`ted: less formatting code in the wasm.
        text(
            &link,
            &(name.clone() + " (" + &size_label(attachment.size) + ")"),
        );
    }
}
