//! The session's mailbox and its way of letting the event loop run.
//!
//! [`Inbox`] queues what the gloo-worker shell receives and wakes the
//! session when it waits for work. [`Ticker`] lets the session give the
//! event loop a turn between training slices: a message to itself through a
//! `MessageChannel` is a task of its own, queued after any command the page
//! has already posted (a resolved promise would not be: microtasks run
//! before any message).

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use gloo_worker::HandlerId;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{MessageChannel, MessageEvent};

/// What reaches a session: page connections and the page's commands `C`.
pub enum Message<C> {
    /// A page connected: it gets the backend in use at once.
    Hello(HandlerId),
    Bye(HandlerId),
    Command(C),
}

/// Messages waiting for the session, and the session if it waits for them.
pub struct Inbox<C> {
    queue: RefCell<VecDeque<Message<C>>>,
    waiting: RefCell<Option<Waker>>,
}

impl<C> Default for Inbox<C> {
    fn default() -> Self {
        Inbox {
            queue: RefCell::new(VecDeque::new()),
            waiting: RefCell::new(None),
        }
    }
}

impl<C> Inbox<C> {
    pub fn push(&self, message: Message<C>) {
        self.queue.borrow_mut().push_back(message);
        if let Some(waker) = self.waiting.borrow_mut().take() {
            waker.wake();
        }
    }

    pub fn pop(&self) -> Option<Message<C>> {
        self.queue.borrow_mut().pop_front()
    }

    /// Resolves once a message is waiting (at once if one already is).
    pub fn wait(&self) -> impl Future<Output = ()> + '_ {
        std::future::poll_fn(move |cx| {
            if self.queue.borrow().is_empty() {
                *self.waiting.borrow_mut() = Some(cx.waker().clone());
                Poll::Pending
            } else {
                Poll::Ready(())
            }
        })
    }
}

/// Whether the ticker's message came back, and whom to wake.
#[derive(Default)]
struct TickState {
    fired: bool,
    waker: Option<Waker>,
}

/// A message channel whose messages come back as ticks, and its handler.
type TickPort = (MessageChannel, Closure<dyn FnMut(MessageEvent)>);

/// Gives the event loop a turn; see the module documentation.
pub struct Ticker {
    channel: Option<TickPort>,
    state: Rc<RefCell<TickState>>,
}

impl Ticker {
    pub fn new() -> Ticker {
        let state = Rc::new(RefCell::new(TickState::default()));
        let channel = MessageChannel::new().ok().map(|channel| {
            let on_tick = state.clone();
            let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |_| {
                let waker = {
                    let mut state = on_tick.borrow_mut();
                    state.fired = true;
                    state.waker.take()
                };
                if let Some(waker) = waker {
                    waker.wake();
                }
            });
            channel
                .port1()
                .set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            (channel, on_message)
        });
        Ticker { channel, state }
    }

    /// Resolves after the tasks queued before it (the page's commands).
    pub async fn tick(&self) {
        self.state.borrow_mut().fired = false;
        let posted = self.channel.as_ref().is_some_and(|(channel, _)| {
            channel
                .port2()
                .post_message(&wasm_bindgen::JsValue::NULL)
                .is_ok()
        });
        if !posted {
            return timeout_zero().await;
        }
        TickFuture {
            state: self.state.clone(),
        }
        .await
    }
}

struct TickFuture {
    state: Rc<RefCell<TickState>>,
}

impl Future for TickFuture {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut state = self.state.borrow_mut();
        if state.fired {
            Poll::Ready(())
        } else {
            state.waker = Some(cx.waker().clone());
            Poll::Pending
        }
    }
}

/// `setTimeout(0)`, should the worker have no `MessageChannel`.
async fn timeout_zero() {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let scheduled = js_sys::global()
            .dyn_into::<web_sys::WorkerGlobalScope>()
            .ok()
            .and_then(|g| {
                g.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0)
                    .ok()
            });
        if scheduled.is_none() {
            let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
