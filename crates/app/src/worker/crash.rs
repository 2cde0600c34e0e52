//! What the worker does when it dies: it tells the page why, then closes.
//!
//! A panic in wasm ends in a trap, and so does an allocation that fails; the
//! instance's state after either cannot be trusted (a `RefCell` may be left
//! borrowed), so the worker does not try to go on. The panic hook and the
//! global `error` / `unhandledrejection` listeners send the page
//! [`Event::Crashed`] through the scope kept here (which borrows nothing of
//! the session's) and close the worker, so its memory goes at once. The page
//! then starts a new worker and restores its last copy of the network.

use std::cell::{Cell, RefCell};

use gloo_worker::{HandlerId, WorkerScope};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;

use super::MnistWorker;
use super::protocol::Event;

thread_local! {
    /// The scope to answer through and the pages connected to it.
    static LINE: RefCell<Option<(WorkerScope<MnistWorker>, Vec<HandlerId>)>> =
        const { RefCell::new(None) };
    /// Set once the page has been told: one report per death.
    static REPORTED: Cell<bool> = const { Cell::new(false) };
}

/// Installs the panic hook and the error listeners; call once, at creation.
pub fn watch(scope: &WorkerScope<MnistWorker>) {
    LINE.with(|line| *line.borrow_mut() = Some((scope.clone(), Vec::new())));
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".into());
        let place = info
            .location()
            .map(|l| format!(" (at {}:{})", l.file(), l.line()))
            .unwrap_or_default();
        report(format!("{message}{place}"));
    }));
    let global = js_sys::global();
    for event in ["error", "unhandledrejection"] {
        let listener = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
            let what = js_sys::Reflect::get(&e, &"message".into())
                .ok()
                .and_then(|m| m.as_string())
                .or_else(|| {
                    js_sys::Reflect::get(&e, &"reason".into())
                        .ok()
                        .map(|r| String::from(js_sys::JsString::from(r)))
                })
                .unwrap_or_else(|| event.to_string());
            report(what);
        });
        if let Some(target) = global.dyn_ref::<web_sys::EventTarget>() {
            let _ =
                target.add_event_listener_with_callback(event, listener.as_ref().unchecked_ref());
        }
        // Lives as long as the worker.
        listener.forget();
    }
}

/// A page connected.
pub fn connected(id: HandlerId) {
    LINE.with(|line| {
        if let Ok(mut line) = line.try_borrow_mut()
            && let Some((_, ids)) = line.as_mut()
        {
            ids.push(id);
        }
    });
}

/// A page went away.
pub fn disconnected(id: HandlerId) {
    LINE.with(|line| {
        if let Ok(mut line) = line.try_borrow_mut()
            && let Some((_, ids)) = line.as_mut()
        {
            ids.retain(|&c| c != id);
        }
    });
}

/// Tells every page `why` the worker is dying, once, and closes the worker.
fn report(why: String) {
    if REPORTED.with(|r| r.replace(true)) {
        return;
    }
    LINE.with(|line| {
        if let Ok(line) = line.try_borrow()
            && let Some((scope, ids)) = line.as_ref()
        {
            for &id in ids {
                scope.respond(id, Event::Crashed(why.clone()));
            }
        }
    });
    if let Some(global) = js_sys::global().dyn_ref::<web_sys::DedicatedWorkerGlobalScope>() {
        global.close();
    }
}
