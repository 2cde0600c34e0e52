//! The line a page shows about what it keeps in this browser: "Restored your
//! network from 14:02, step 3,400" with a Start fresh button, an offer to
//! restore a saved network the link did not ask for, or why saving failed.
//! The pages share it so that they say these things the same way.

use std::rc::Rc;

use leptos::prelude::*;

/// What the note offers to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Offer {
    /// Forget the restored work and start again.
    StartFresh,
    /// Bring back the saved work the page did not restore.
    Restore,
}

/// One note.
#[derive(Clone, Debug, PartialEq)]
pub struct Kept {
    pub text: String,
    pub offer: Option<Offer>,
    /// Something went wrong (a save failed, a record was ignored).
    pub problem: bool,
}

impl Kept {
    /// Work brought back from storage.
    pub fn restored(text: String) -> Kept {
        Kept {
            text,
            offer: Some(Offer::StartFresh),
            problem: false,
        }
    }

    /// Saved work that was not brought back.
    pub fn offer(text: String) -> Kept {
        Kept {
            text,
            offer: Some(Offer::Restore),
            problem: false,
        }
    }

    /// A failure to read or write.
    pub fn problem(text: String) -> Kept {
        Kept {
            text,
            offer: None,
            problem: true,
        }
    }
}

/// The note, hidden when there is none; `on_offer` carries out its button.
#[component]
pub fn KeptNote(kept: RwSignal<Option<Kept>>, on_offer: Rc<dyn Fn(Offer)>) -> impl IntoView {
    // Reactive views want `Send`; the page has one thread.
    let on_offer = send_wrapper::SendWrapper::new(on_offer);
    view! {
        <p
            class="kept-note"
            class:problem=move || kept.with(|k| k.as_ref().is_some_and(|k| k.problem))
            class:hidden=move || kept.with(Option::is_none)
            data-testid="kept-note"
            role="status"
        >
            <span data-testid="kept-text">{move || kept.with(|k| k.as_ref().map(|k| k.text.clone()))}</span>
            {move || {
                let offer = kept.with(|k| k.as_ref().and_then(|k| k.offer))?;
                let act = (*on_offer).clone();
                let label = match offer {
                    Offer::StartFresh => "Start fresh",
                    Offer::Restore => "Restore it",
                };
                Some(view! {
                    " "
                    <button data-testid="kept-action" on:click=move |_| act(offer)>{label}</button>
                })
            }}
        </p>
    }
}

/// Where the page notes, across the reload that follows, that it cleared.
const CLEARED_KEY: &str = "playnet.cleared";

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

/// "Clear stored data": asks, forgets what every page keeps in this
/// browser ([`crate::saved::clear_everything`]), then reloads, so that no
/// page still running saves again what it holds.
#[component]
pub fn ClearStoredData() -> impl IntoView {
    let asking = RwSignal::new(false);
    let message = RwSignal::new(session_storage().and_then(|s| {
        let note = s.get_item(CLEARED_KEY).ok().flatten();
        let _ = s.remove_item(CLEARED_KEY);
        note
    }));
    let clear = move |_| {
        asking.set(false);
        message.set(Some("Clearing…".into()));
        leptos::task::spawn_local(async move {
            match crate::saved::clear_everything().await {
                Ok(places) => {
                    let note = format!(
                        "Cleared what the pages kept in this browser ({places} stores): their \
                         networks, examples, drawings and models are gone."
                    );
                    if let Some(s) = session_storage() {
                        let _ = s.set_item(CLEARED_KEY, &note);
                    }
                    match web_sys::window().map(|w| w.location().reload()) {
                        Some(Ok(())) => {}
                        _ => message.set(Some(note)),
                    }
                }
                Err(e) => message.set(Some(format!("Could not clear everything: {e}"))),
            }
        });
    };
    view! {
        <div class="clear-stored" data-testid="clear-stored">
            <p>
                "Each page keeps your work in this browser (IndexedDB), and nowhere else: the \
                 Playground's trained networks and the points you drew, the MNIST lab's network, \
                 its step and curves, the webcam page's examples and head, the sketch page's \
                 drawing and the models you trained. A reload finds them again."
            </p>
            <button class="danger" data-testid="clear-stored-data" class:hidden=move || asking.get() on:click=move |_| asking.set(true)>
                "Clear stored data"
            </button>
            <span class:hidden=move || !asking.get()>
                "Forget everything every page keeps in this browser? "
                <button class="danger" data-testid="clear-stored-yes" on:click=clear>"Forget it all"</button>
                " "
                <button data-testid="clear-stored-no" on:click=move |_| asking.set(false)>"Keep it"</button>
            </span>
            <p role="status" data-testid="clear-stored-status">{move || message.get()}</p>
        </div>
    }
}
