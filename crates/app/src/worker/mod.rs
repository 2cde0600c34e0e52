//! The app's Web Workers. [`MnistWorker`] is the MNIST lab's; [`webcam`]
//! holds the webcam page's, which shares the inbox, backend choice and crash
//! report below.
//!
//! The MNIST lab's training worker is a gloo-worker [`Worker`] that owns the
//! data and a [`Lab`](playnet_mnist::Lab) on the CPU or on WebGPU, trains in
//! slices of about 40 ms, and sends the page compact snapshots
//! ([`protocol::Event`]).
//!
//! On WebGPU every readback is asynchronous, so the work is one async task,
//! [`session::Session::run`], that owns everything; this shell only passes it
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
mod meter;
pub mod protocol;
mod session;
pub mod webcam;

use std::rc::Rc;

use gloo_worker::{HandlerId, Worker, WorkerScope};

use inbox::{Inbox, Message};
use protocol::{Command, Event};

/// The training worker (see the module documentation).
pub struct MnistWorker {
    inbox: Rc<Inbox<Command>>,
}

impl Worker for MnistWorker {
    /// The session talks to the page directly; the worker sends itself nothing.
    type Message = ();
    type Input = Command;
    type Output = Event;

    fn create(scope: &WorkerScope<Self>) -> Self {
        crash::watch(scope, Event::Crashed);
        let inbox = Rc::new(Inbox::default());
        let session = session::Session::new(scope.clone(), inbox.clone());
        wasm_bindgen_futures::spawn_local(session.run());
        MnistWorker { inbox }
    }

    fn connected(&mut self, _scope: &WorkerScope<Self>, id: HandlerId) {
        crash::connected(id);
        self.inbox.push(Message::Hello(id));
    }

    fn disconnected(&mut self, _scope: &WorkerScope<Self>, id: HandlerId) {
        crash::disconnected(id);
        self.inbox.push(Message::Bye(id));
    }

    fn update(&mut self, _scope: &WorkerScope<Self>, _message: ()) {}

    fn received(&mut self, _scope: &WorkerScope<Self>, command: Command, _id: HandlerId) {
        self.inbox.push(Message::Command(command));
    }
}
