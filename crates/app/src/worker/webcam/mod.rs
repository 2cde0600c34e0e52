//! The webcam page's worker: the frozen EfficientNet-Lite0 that turns frames
//! into embeddings, and the head trained on them ([`session::Session`]).
//!
//! Like the MNIST worker it is one async task fed through an
//! [`Inbox`], on the backend [`Devices`](super::devices)
//! picks, and it reports a crash through [`super::crash`] before closing.

pub mod protocol;
mod session;

use std::rc::Rc;

use gloo_worker::{HandlerId, Worker, WorkerScope};

use super::crash;
use super::inbox::{Inbox, Message};
use protocol::{Command, Event};

/// The webcam worker (see the module documentation).
pub struct WebcamWorker {
    inbox: Rc<Inbox<Command>>,
}

impl Worker for WebcamWorker {
    type Message = ();
    type Input = Command;
    type Output = Event;

    fn create(scope: &WorkerScope<Self>) -> Self {
        crash::watch(scope, Event::Crashed);
        let inbox = Rc::new(Inbox::default());
        let session = session::Session::new(scope.clone(), inbox.clone());
        wasm_bindgen_futures::spawn_local(session.run());
        WebcamWorker { inbox }
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
