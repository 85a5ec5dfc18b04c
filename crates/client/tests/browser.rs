//! Browser-only glue, tested in a real browser (wasm-bindgen-test + chromedriver):
//! the `localStorage` outbox, `BroadcastChannel` between two channel objects, Web Locks
//! (also refused ones, and locks from a provider).
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;

use tidings_client::outbox::{Outbox, Storage};
use tidings_client::web::storage::LocalStorage;
use tidings_client::web::tabs::{request_lock, LockGuard, Locks, TabChannel};
use tidings_client::web::{new_id, now_ms};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Resolves after `ms` milliseconds; used only as a deadline, never as synchronisation.
async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

/// Waits until `cond` holds, failing after five seconds.
async fn wait_for(what: &str, cond: impl Fn() -> bool) {
    let deadline = now_ms() + 5_000;
    while !cond() {
        assert!(now_ms() < deadline, "timed out waiting for {what}");
        sleep(10).await;
    }
}

#[wasm_bindgen_test]
fn local_storage_outbox_keeps_one_key_per_message_across_instances() {
    let prefix = format!("test.outbox.{}.", new_id());
    let mut tab_a = Outbox::new(LocalStorage::new(), prefix.clone());
    let first = tab_a.enqueue(new_id(), None, "one".into(), 1).unwrap();
    let mut tab_b = Outbox::new(LocalStorage::new(), prefix.clone());
    let second = tab_b.enqueue(new_id(), None, "two".into(), 2).unwrap();

    let raw = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    let key = format!("{prefix}{}", first.id);
    assert!(raw.get_item(&key).unwrap().unwrap().contains("\"one\""));

    // A fresh instance (a reload) sees both, in creation order, and flushes them in turn.
    let mut reloaded = Outbox::new(LocalStorage::new(), prefix.clone());
    let bodies: Vec<_> = reloaded.entries().into_iter().map(|e| e.body).collect();
    assert_eq!(bodies, ["one", "two"]);
    assert_eq!(reloaded.next_to_send().unwrap().id, first.id);
    reloaded.acknowledge(first.id);
    assert!(raw.get_item(&key).unwrap().is_none(), "ack removes the key");
    assert_eq!(reloaded.next_to_send().unwrap().id, second.id);
    reloaded.acknowledge(second.id);
    let leftovers = LocalStorage::new()
        .keys()
        .into_iter()
        .filter(|k| k.starts_with(&prefix))
        .count();
    assert_eq!(leftovers, 0);
}

#[wasm_bindgen_test]
async fn broadcast_channel_carries_text_to_other_instances_only() {
    let name = format!("test.channel.{}", new_id());
    let received: Rc<RefCell<Vec<String>>> = Rc::default();
    let sink = received.clone();
    let listener = TabChannel::open(&name, move |text| sink.borrow_mut().push(text))
        .expect("BroadcastChannel available");
    let heard_itself: Rc<RefCell<bool>> = Rc::default();
    let echo = heard_itself.clone();
    let speaker = TabChannel::open(&name, move |_| *echo.borrow_mut() = true).unwrap();
    speaker.post("first");
    speaker.post("{\"note\":\"hi ✓\"}");
    wait_for("both notes", || received.borrow().len() == 2).await;
    assert_eq!(
        received.borrow().as_slice(),
        ["first", "{\"note\":\"hi ✓\"}"]
    );
    assert!(
        !*heard_itself.borrow(),
        "a channel does not hear its own posts"
    );
    drop(listener);
}

#[wasm_bindgen_test]
async fn web_lock_admits_one_holder_at_a_time() {
    let name = format!("test.lock.{}", new_id());
    let log: Rc<RefCell<Vec<&'static str>>> = Rc::default();
    let held: Rc<RefCell<Option<tidings_client::web::tabs::LockGuard>>> = Rc::default();
    {
        let (log, held) = (log.clone(), held.clone());
        request_lock(&name, move |guard| {
            log.borrow_mut().push("first");
            *held.borrow_mut() = Some(guard);
        });
    }
    {
        let log = log.clone();
        request_lock(&name, move |_guard| log.borrow_mut().push("second"));
    }
    wait_for("first holder", || log.borrow().len() == 1).await;
    sleep(50).await;
    assert_eq!(
        *log.borrow(),
        ["first"],
        "second waits while first holds it"
    );
    held.borrow_mut().take();
    wait_for("second holder", || log.borrow().len() == 2).await;
    assert_eq!(*log.borrow(), ["first", "second"]);
}

#[wasm_bindgen_test]
async fn a_lock_the_browser_refuses_is_granted_at_once() {
    // A cross-site frame without storage access gets a SecurityError rejection; a name
    // starting with '-' is refused the same way (NotSupportedError) anywhere, so no global
    // needs patching while other tests use the real Web Locks.
    let granted = Rc::new(RefCell::new(0));
    {
        let granted = granted.clone();
        request_lock("-refused", move |_guard| *granted.borrow_mut() += 1);
    }
    wait_for("the refused lock granted anyway", || *granted.borrow() == 1).await;
    sleep(50).await;
    assert_eq!(*granted.borrow(), 1, "granted once, not again");
}

#[wasm_bindgen_test]
fn provided_locks_go_to_the_provider_and_release_through_the_guard() {
    let log: Rc<RefCell<Vec<String>>> = Rc::default();
    let locks = {
        let log = log.clone();
        Locks::provided_by(move |name, on_acquired| {
            log.borrow_mut().push(format!("asked {name}"));
            let log = log.clone();
            let name = name.to_owned();
            on_acquired(LockGuard::new(move || {
                log.borrow_mut().push(format!("released {name}"))
            }));
        })
    };
    {
        let log = log.clone();
        locks.request("flush", move |guard| {
            log.borrow_mut().push("held flush".into());
            guard.release();
        });
    }
    locks.become_leader("sound", || ());
    assert_eq!(
        *log.borrow(),
        ["asked flush", "held flush", "released flush", "asked sound"],
        "a leader keeps its lock for the page's life"
    );
}

#[wasm_bindgen_test]
fn message_ids_are_random_v4() {
    let (a, b) = (new_id(), new_id());
    assert_ne!(a, b);
    assert_eq!(a.get_version_num(), 4);
}
