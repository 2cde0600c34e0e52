//! What the worker does when it dies: it tells the page why, then closes.
//!
//! A panic in wasm ends in a trap, and so does an allocation that fails; the
//! instance's state after either cannot be trusted (a `RefCell` may be left
//! borrowed), so the worker does not try to go on. The panic hook and the
//! global `error` / `unhandledrejection` listeners send the page
//! the worker's crash event through the scope kept here (which borrows nothing of
//! the session's) and close the worker, so its memory goes at once. The page
//! then starts a new worker and restores its last copy of the network.
//!
//! Both workers use it: each says which of its events carries the reason.

use std::cell::{Cell, RefCell};

use gloo_worker::{HandlerId, Worker, WorkerScope};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;

/// Tells one page why the worker dies.
type Tell = Box<dyn Fn(HandlerId, String)>;

thread_local! {
    /// How to answer and the pages connected.
    static LINE: RefCell<Option<(Tell, Vec<HandlerId>)>> = const { RefCell::new(None) };
    /// Set once the page has been told: one report per death.
    static REPORTED: Cell<bool> = const { Cell::new(false) };
}

/// Installs the panic hook and the error listeners; call once, at creation.
/// `crashed` makes the worker's event that carries the reason.
pub fn watch<W: Worker + 'static>(scope: &WorkerScope<W>, crashed: fn(String) -> W::Output) {
    let scope = scope.clone();
    let tell: Tell = Box::new(move |id, why| scope.respond(id, crashed(why)));
    LINE.with(|line| *line.borrow_mut() = Some((tell, Vec::new())));
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
            && let Some((tell, ids)) = line.as_ref()
        {
            for &id in ids {
                tell(id, why.clone());
            }
        }
    });
    if let Some(global) = js_sys::global().dyn_ref::<web_sys::DedicatedWorkerGlobalScope>() {
        global.close();
    }
}
