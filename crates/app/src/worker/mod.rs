//! The app's Web Workers. [`MnistWorker`] is the MNIST lab's; [`webcam`]
//! holds the webcam page's and [`sketch`] the sketch page's, which share the
//! inbox, shell, clock and crash report below.
//!
//! The MNIST lab's training worker is a gloo-worker [`Worker`](gloo_worker::Worker) that owns the
//! data and a [`Lab`](playnet_mnist::Lab) on the CPU or on WebGPU, trains in
//! slices of about 40 ms, and sends the page compact snapshots
//! ([`protocol::Event`]).
//!
//! On WebGPU every readback is asynchronous, so the work is one async task,
//! [`session::Session::run`], that owns everything; the shell ([`shell`]) only passes it
//! the page's commands through an [`inbox::Inbox`]. Between slices the
//! session yields to the event loop (a `MessageChannel` message, which,
//! unlike `setTimeout(0)`, is not clamped to 4 ms), so that a pause or any
//! other command gets through at once.
//!
//! If the worker panics or traps, [`crash`] tells the page why and closes
//! it; the page starts a new one and restores its last copy of the network.
//!
//! This module is compiled into every binary: each worker binary registers
//! its worker; the page only needs the types to spawn them. It refers to
//! nothing else of the app's.

mod crash;
mod devices;
mod eval;
mod inbox;
mod lab;
pub(crate) mod meter;
pub mod protocol;
mod session;
mod shell;
pub mod sketch;
pub mod webcam;

use std::rc::Rc;

use gloo_worker::WorkerScope;

use inbox::Inbox;
use protocol::{Command, Event};
use shell::{Job, Shell};

/// The MNIST lab's training worker (see the module documentation).
pub type MnistWorker = Shell<Mnist>;

/// The MNIST lab's [`Job`]: [`session::Session`] on the lab's protocol.
pub enum Mnist {}

impl Job for Mnist {
    type Command = Command;
    type Event = Event;

    fn crashed(why: String) -> Event {
        Event::Crashed(why)
    }

    fn start(scope: WorkerScope<MnistWorker>, inbox: Rc<Inbox<Command>>) {
        wasm_bindgen_futures::spawn_local(session::Session::new(scope, inbox).run());
    }
}
