//! The sketch page's worker: trains a sketch-rnn decoder of the user's own
//! ([`playnet_sketch::train`]) off the page's thread, a step at a time, and
//! sends the model back as it improves so that the page samples from it.
//!
//! Like the other workers it is one async task fed through an [`Inbox`]
//! that reports a crash through [`super::crash`] before closing, in the
//! shared gloo-worker [`Shell`]. It trains on the CPU (SIMD128): one step
//! is some hundred small products per time step, where a GPU's dispatches
//! would cost more than they save.

pub mod protocol;
mod session;

use std::rc::Rc;

use gloo_worker::WorkerScope;

use super::inbox::Inbox;
use super::shell::{Job, Shell};
use protocol::{Command, Event};

/// The sketch worker (see the module documentation).
pub type SketchWorker = Shell<Sketch>;

/// The sketch page's [`Job`]: [`session::Session`] on its protocol.
pub enum Sketch {}

impl Job for Sketch {
    type Command = Command;
    type Event = Event;

    fn crashed(why: String) -> Event {
        Event::Crashed(why)
    }

    fn start(scope: WorkerScope<SketchWorker>, inbox: Rc<Inbox<Command>>) {
        wasm_bindgen_futures::spawn_local(session::Session::new(scope, inbox).run());
    }
}
