//! The gloo-worker shell both workers share: it installs the crash report,
//! starts the worker's session (one async task that owns everything) and
//! passes the page's commands and connections to it through an [`Inbox`].
//! A worker is a [`Job`]: its command and event types, its crash event and
//! how its session starts. Its session answers through a [`Page`]: the pages
//! connected now, and one way to send them events.

use std::rc::Rc;

use gloo_worker::{HandlerId, Worker, WorkerScope};

use super::crash;
use super::inbox::{Inbox, Message};

/// What one worker does.
pub trait Job: Sized + 'static {
    /// What the page sends.
    type Command;
    /// What the worker answers.
    type Event;
    /// The event that tells the page the worker panicked, and why.
    fn crashed(why: String) -> Self::Event;
    /// Starts the session that reads `inbox` and answers through `scope`.
    fn start(scope: WorkerScope<Shell<Self>>, inbox: Rc<Inbox<Self::Command>>);
}

/// The gloo-worker [`Worker`] of a [`Job`].
pub struct Shell<J: Job> {
    inbox: Rc<Inbox<J::Command>>,
}

impl<J: Job> Worker for Shell<J> {
    /// The session talks to the page directly; the worker sends itself nothing.
    type Message = ();
    type Input = J::Command;
    type Output = J::Event;

    fn create(scope: &WorkerScope<Self>) -> Self {
        crash::watch(scope, J::crashed);
        let inbox = Rc::new(Inbox::default());
        J::start(scope.clone(), inbox.clone());
        Shell { inbox }
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

    fn received(&mut self, _scope: &WorkerScope<Self>, command: J::Command, _id: HandlerId) {
        self.inbox.push(Message::Command(command));
    }
}

/// The page's side of a worker as its session sees it: the pages (handlers)
/// connected now, and sending them events.
pub struct Page<J: Job> {
    scope: WorkerScope<Shell<J>>,
    clients: Vec<HandlerId>,
}

impl<J: Job> Page<J>
where
    J::Event: Clone,
{
    pub fn new(scope: WorkerScope<Shell<J>>) -> Self {
        Page {
            scope,
            clients: Vec::new(),
        }
    }

    /// A page connected ([`Message::Hello`]).
    pub fn hello(&mut self, id: HandlerId) {
        self.clients.push(id);
    }

    /// A page went away ([`Message::Bye`]).
    pub fn bye(&mut self, id: HandlerId) {
        self.clients.retain(|&c| c != id);
    }

    /// Sends `event` to one page.
    pub fn tell(&self, id: HandlerId, event: J::Event) {
        self.scope.respond(id, event);
    }

    /// Sends `event` to every connected page.
    pub fn send(&self, event: J::Event) {
        if let Some((&last, rest)) = self.clients.split_last() {
            for &id in rest {
                self.scope.respond(id, event.clone());
            }
            self.scope.respond(last, event);
        }
    }
}
