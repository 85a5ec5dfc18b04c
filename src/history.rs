//! Older messages of the shown conversation, a page at a time: a page load subscribes to
//! the latest [`crate::reduce::TAIL`] seqs only (`Timeline::start_tail`), and the pages before them are
//! read over HTTP when the visitor scrolls up or asks for them.

use reactive_graph::prelude::*;

use crate::api;
use crate::runtime::RuntimeHandle;

/// Reads the page before the oldest message held, if there is one and none is being read,
/// keeping the rows in view of `scroller` where they are.
pub fn load_older(runtime: RuntimeHandle, scroller: web_sys::HtmlDivElement) {
    let Some(rt) = runtime.get() else { return };
    let state = rt.state;
    let before = state.timeline.with_untracked(|t| t.older_before());
    let id = state
        .conversation
        .with_untracked(|c| c.as_ref().map(|c| c.id));
    let (Some(before), Some(id), Some(token)) = (before, id, rt.token()) else {
        return;
    };
    if rt.loading_older.replace(true) {
        return;
    }
    any_spawner::Executor::spawn_local(async move {
        // A failure leaves the page unread: the next scroll or click tries again.
        if let Ok((page, has_more)) = api::history(&token, id, Some(before)).await {
            let current = state
                .conversation
                .with_untracked(|c| c.as_ref().map(|c| c.id));
            if current == Some(id) {
                let (height, top) = (scroller.scroll_height(), scroller.scroll_top());
                state.timeline.update(|t| t.insert_older(page, has_more));
                // The rows went in above: move down by what they added, before painting.
                crate::dom::next_frame(move || {
                    scroller.set_scroll_top(top + scroller.scroll_height() - height)
                });
            }
        }
        rt.loading_older.set(false);
    });
}
