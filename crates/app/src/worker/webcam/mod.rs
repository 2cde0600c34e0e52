//! The webcam page's worker: the frozen EfficientNet-Lite0 that turns frames
//! into embeddings, and the head trained on them ([`session::Session`]).
//!
//! Like the MNIST worker it is one async task fed through an
//! [`Inbox`], on the backend [`Devices`](super::devices)
//! picks, and it reports a crash through [`super::crash`] before closing; the
//! gloo-worker shell is the MNIST worker's ([`Shell`]).

pub mod protocol;
mod session;

use std::rc::Rc;

use gloo_worker::WorkerScope;

use super::inbox::Inbox;
use super::shell::{Job, Shell};
use protocol::{Command, Event};

/// The webcam worker (see the module documentation).
pub type WebcamWorker = Shell<Webcam>;

/// The webcam page's [`Job`]: [`session::Session`] on its protocol.
pub enum Webcam {}

impl Job for Webcam {
    type Command = Command;
    type Event = Event;

    fn crashed(why: String) -> Event {
        Event::Crashed(why)
    }

    fn start(scope: WorkerScope<WebcamWorker>, inbox: Rc<Inbox<Command>>) {
        wasm_bindgen_futures::spawn_local(session::Session::new(scope, inbox).run());
    }
}
