//! The extras' screens beside the widget's composer and in its ended conversation: the widget
//! says which apply (`show_screens`, whenever that changes) and this module puts each in its
//! place in the widget's DOM, or takes it away. Each lives in an element of its own, a sibling
//! of the widget's: the offline email form and the pre-chat form just before the composer,
//! the rating prompt (or its thanks) first in the widget's ended-conversation section, the
//! transcript button just after it.

use std::any::Any;
use std::cell::RefCell;
use std::thread::LocalKey;

use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

use crate::find;

/// One placed screen: its element, what it is for (the conversation, for the transcript),
/// and its mounted view.
struct Placed {
    host: HtmlElement,
    key: Option<String>,
    _view: Box<dyn Any>,
}

type Slot = RefCell<Option<Placed>>;

thread_local! {
    static OFFLINE_EMAIL: Slot = const { RefCell::new(None) };
    static TRANSCRIPT: Slot = const { RefCell::new(None) };
    static PRECHAT: Slot = const { RefCell::new(None) };
    static RATING: Slot = const { RefCell::new(None) };
}

/// Shows or takes away each screen as the widget says.
pub fn show(
    offline: bool,
    transcript: bool,
    token: Option<String>,
    conversation: Option<String>,
    prechat: bool,
    (rating, rated): (bool, Option<u8>),
) {
    crate::style::inject();
    // Once answered (or the visitor found known) the form is done for the page's life.
    let prechat_token = token
        .clone()
        .filter(|_| prechat && !crate::prechat_form::done());
    place(
        &PRECHAT,
        prechat_token.map(|t| (t, None)),
        before_composer,
        |host, (token, _)| crate::prechat_form::mount(host, token),
    );
    let offline_token = token.clone().filter(|_| offline);
    place(
        &OFFLINE_EMAIL,
        offline_token.map(|t| (t, None)),
        before_composer,
        |host, (token, _)| crate::offline_email::mount(host, token),
    );
    // Placed anew when the rating the widget knows changes (another tab's, or this one's
    // as the server tells it back), its key being the conversation and the stars.
    let rating = token
        .clone()
        .zip(conversation.clone())
        .filter(|_| rating)
        .map(|(t, c)| {
            let key = [
                c.as_str(),
                ":",
                rated.map_or("", |n| STARS[usize::from(n.min(5))]),
            ];
            (t, Some(key.concat()))
        });
    place(
        &RATING,
        rating,
        |host| {
            let section = find(".tw-rating")?;
            section
                .insert_before(host, section.first_child().as_ref())
                .ok()?;
            Some(())
        },
        |host, (token, key)| {
            let key = key.unwrap_or_default();
            let id = key.split(':').next().unwrap_or_default().to_owned();
            crate::rating::mount(host, token, id, rated)
        },
    );
    let transcript = token.zip(conversation).filter(|_| transcript);
    place(
        &TRANSCRIPT,
        transcript.map(|(t, c)| (t, Some(c))),
        |host| {
            // Just after the rating, which was placed first.
            let rating = RATING.with_borrow(|r| r.as_ref().map(|r| r.host.clone()))?;
            let after = rating.next_sibling();
            rating
                .parent_node()?
                .insert_before(host, after.as_ref())
                .ok()?;
            Some(())
        },
        |host, (token, conversation)| {
            crate::transcript::mount(host, token, conversation.unwrap_or_default())
        },
    );
}

/// A rating's stars as its key writes them (no formatting code in the wasm).
const STARS: [&str; 6] = ["0", "1", "2", "3", "4", "5"];

/// Keeps, places or removes the screen in `slot`: `wanted` is its token and key when it
/// applies. A screen whose element the widget's re-rendering took away, or that was for
/// another conversation, is placed anew.
fn place(
    slot: &'static LocalKey<Slot>,
    wanted: Option<(String, Option<String>)>,
    position: impl FnOnce(&HtmlElement) -> Option<()>,
    mount: impl FnOnce(HtmlElement, (String, Option<String>)) -> Box<dyn Any>,
) {
    let keep = slot.with_borrow(|placed| match (placed, &wanted) {
        (Some(p), Some((_, key))) => p.host.is_connected() && p.key == *key,
        _ => false,
    });
    if keep {
        return;
    }
    if let Some(old) = slot.take() {
        old.host.remove();
    }
    let Some(wanted) = wanted else { return };
    let Some(host) = leptos::prelude::document()
        .create_element("div")
        .ok()
        .map(|e| e.unchecked_into::<HtmlElement>())
    else {
        return;
    };
    if position(&host).is_none() {
        return;
    }
    let key = wanted.1.clone();
    let view = mount(host.clone(), wanted);
    slot.set(Some(Placed {
        host,
        key,
        _view: view,
    }));
}

/// Puts `host` just before the composer.
fn before_composer(host: &HtmlElement) -> Option<()> {
    let composer = find(".tw-composer")?;
    composer
        .parent_node()?
        .insert_before(host, Some(&composer))
        .ok()?;
    Some(())
}
