//! The sketch worker's one task: it owns the decoder being trained, takes
//! a step, tells the page, gives the event loop a turn (so that "stop" gets
//! through between steps) and takes the next.
//!
//! Every [`REPORT_EVERY`] steps, and when training ends, it measures the
//! held-out NLL and sends the model as it stands; the page samples from it,
//! so the drawings improve as the curve falls. The untrained model goes out
//! first, for the "before".

use std::rc::Rc;

use gloo_worker::WorkerScope;
use playnet_engine::Cpu;
use playnet_sketch::SketchError;
use playnet_sketch::dataset::StrokeData;
use playnet_sketch::train::{SketchTrainer, TrainSettings};
use serde_bytes::ByteBuf;

use super::protocol::{Command, Event, StepReport};
use super::{Sketch, SketchWorker};
use crate::worker::inbox::{Inbox, Message, Ticker};
use crate::worker::meter::now;
use crate::worker::shell::Page;

/// Steps between held-out measurements and models sent to the page.
pub const REPORT_EVERY: u32 = 10;

/// A decoder being trained and the steps it is to take.
struct Training {
    trainer: SketchTrainer<Cpu>,
    steps: u32,
}

/// Everything the worker holds (see the module documentation).
pub struct Session {
    page: Page<Sketch>,
    inbox: Rc<Inbox<Command>>,
    ticker: Ticker,
    training: Option<Training>,
}

impl Session {
    pub fn new(scope: WorkerScope<SketchWorker>, inbox: Rc<Inbox<Command>>) -> Session {
        Session {
            page: Page::new(scope),
            inbox,
            ticker: Ticker::new(),
            training: None,
        }
    }

    /// Runs for as long as the worker lives.
    pub async fn run(mut self) {
        loop {
            while let Some(message) = self.inbox.pop() {
                match message {
                    Message::Hello(id) => self.page.hello(id),
                    Message::Bye(id) => self.page.bye(id),
                    Message::Command(command) => self.command(command).await,
                }
            }
            if self.training.is_some() {
                self.step().await;
                self.ticker.tick().await;
            } else {
                let inbox = self.inbox.clone();
                inbox.wait().await;
            }
        }
    }

    async fn command(&mut self, command: Command) {
        match command {
            Command::Train {
                data,
                name,
                settings,
                seed,
                steps,
            } => {
                // A new run replaces the one before, which ends first.
                if self.training.is_some() {
                    self.finish(None).await;
                }
                match start(&data, &name, &settings, seed) {
                    Ok(trainer) => {
                        let (train, valid) = trainer.sizes();
                        self.page.send(Event::Started {
                            train: train as u32,
                            valid: valid as u32,
                            scale_factor: trainer.scale_factor(),
                        });
                        self.training = Some(Training { trainer, steps });
                        self.report_or_stop().await;
                    }
                    Err(e) => self.page.send(Event::Stopped {
                        step: 0,
                        failed: Some(e.to_string()),
                    }),
                }
            }
            Command::Stop => {
                if self.training.is_some() {
                    self.finish(None).await;
                }
            }
        }
    }

    /// One step, its report, and what follows it.
    async fn step(&mut self) {
        let Some(training) = self.training.as_mut() else {
            return;
        };
        let started = now();
        match training.trainer.step().await {
            Ok(r) => {
                let (step, done) = (r.step, r.step >= training.steps);
                self.page.send(Event::Step(StepReport {
                    step,
                    nll: r.nll,
                    learning_rate: r.learning_rate,
                    ms: (now() - started) as f32,
                }));
                if step.is_multiple_of(REPORT_EVERY) {
                    self.report_or_stop().await;
                }
                // (A failed report has ended the run already.)
                if done && self.training.is_some() {
                    self.finish(None).await;
                }
            }
            Err(e) => self.finish(Some(e.to_string())).await,
        }
    }

    /// The held-out NLL and the model, as they stand.
    async fn report(&self) -> Result<(), SketchError> {
        let Some(training) = self.training.as_ref() else {
            return Ok(());
        };
        let trainer = &training.trainer;
        let step = trainer.steps();
        let nll = trainer.validate().await?;
        self.page.send(Event::Validated { step, nll });
        let files = trainer.to_files("trained in the page").await?;
        self.page.send(Event::Model {
            step,
            config: files.config_json,
            weights: ByteBuf::from(files.weights),
        });
        Ok(())
    }

    /// [`Session::report`], ending the run if it fails.
    async fn report_or_stop(&mut self) {
        if let Err(e) = self.report().await {
            self.finish(Some(e.to_string())).await;
        }
    }

    /// Ends the run: the last report (unless it failed) and why it ended.
    async fn finish(&mut self, mut failed: Option<String>) {
        if failed.is_none()
            && let Some(t) = &self.training
            && !t.trainer.steps().is_multiple_of(REPORT_EVERY)
            && let Err(e) = self.report().await
        {
            failed = Some(e.to_string());
        }
        if let Some(t) = self.training.take() {
            self.page.send(Event::Stopped {
                step: t.trainer.steps(),
                failed,
            });
        }
    }
}

/// A trainer for the page's request.
fn start(
    data: &[u8],
    name: &str,
    settings: &str,
    seed: u64,
) -> Result<SketchTrainer<Cpu>, SketchError> {
    let settings: TrainSettings =
        serde_json::from_str(settings).map_err(|e| SketchError::Config(e.to_string()))?;
    let data = StrokeData::from_bytes(data)?;
    let split = |name: &str| {
        data.split(name)
            .ok_or_else(|| SketchError::Strokes(format!("the data has no {name} split")))
    };
    SketchTrainer::new(Cpu, name, settings, split("train")?, split("valid")?, seed)
}
