//! The webcam worker's one task: it owns the frozen network (on the CPU or
//! on WebGPU) and the head being trained, embeds the frames the page sends,
//! and trains the head an epoch at a time, giving the event loop a turn
//! between epochs so that frames keep being embedded while it trains.
//!
//! The head is small (1280 → 100 → a few classes) and trains on the CPU
//! whatever the backend: a GPU's dispatch and readback cost more than its
//! products.

use std::rc::Rc;

use gloo_worker::WorkerScope;
use playnet_engine::{Cpu, EngineError};
use playnet_gpu::Gpu;
use playnet_models::efficientnet::{self, shipped};
use playnet_models::preprocess::{self, CROP as FRAME, RgbImage};
use playnet_models::{EfficientNet, Images, Layout, ModelError, imagenet};
use playnet_webcam::EMBEDDING;
use playnet_webcam::head::{HeadSettings, HeadTrainer};
use serde_bytes::ByteBuf;

use super::protocol::{BackendChoice, Command, Embedded, EpochReport, Event};
use super::{Webcam, WebcamWorker};
use crate::worker::devices::{Devices, Target};
use crate::worker::inbox::{Inbox, Message, Ticker};
use crate::worker::meter::now;
use crate::worker::shell::Page;

/// The frozen network on the backend that embeds.
enum Extractor {
    Cpu(EfficientNet<Cpu>),
    Gpu(EfficientNet<Gpu>),
}

/// A head being trained.
struct Training {
    trainer: HeadTrainer<Cpu>,
    epochs: u32,
    started: f64,
}

/// Everything the worker holds (see the module documentation).
pub struct Session {
    page: Page<Webcam>,
    inbox: Rc<Inbox<Command>>,
    ticker: Ticker,
    devices: Devices,
    target: Target,
    /// The shipped weights as received, to build the network again on
    /// another backend.
    weights: Option<ByteBuf>,
    extractor: Option<Extractor>,
    training: Option<Training>,
}

impl Session {
    pub fn new(scope: WorkerScope<WebcamWorker>, inbox: Rc<Inbox<Command>>) -> Session {
        Session {
            page: Page::new(scope),
            inbox,
            ticker: Ticker::new(),
            devices: Devices::default(),
            target: Target::Cpu,
            weights: None,
            extractor: None,
            training: None,
        }
    }

    /// Runs for as long as the worker lives.
    pub async fn run(mut self) {
        loop {
            while let Some(message) = self.inbox.pop() {
                self.handle(message).await;
            }
            if self.training.is_some() {
                self.train_epoch();
                self.ticker.tick().await;
            } else {
                let inbox = self.inbox.clone();
                inbox.wait().await;
            }
        }
    }

    fn send(&self, event: Event) {
        self.page.send(event);
    }

    fn send_backend(&self) {
        self.send(Event::Backend(self.devices.report(&self.target)));
    }

    async fn handle(&mut self, message: Message<Command>) {
        match message {
            Message::Hello(id) => self.page.hello(id),
            Message::Bye(id) => self.page.bye(id),
            Message::Command(command) => self.command(command).await,
        }
    }

    async fn command(&mut self, command: Command) {
        match command {
            Command::Weights(bytes) => self.load(bytes).await,
            Command::Backend(choice) => self.choose_backend(choice).await,
            Command::Embed { id, pixels, top } => self.embed(id, &pixels, top).await,
            Command::Train {
                embeddings,
                labels,
                classes,
                settings,
                seed,
            } => self.start_training(&embeddings, &labels, classes, &settings, seed),
            Command::StopTraining => self.stop_training(),
        }
    }

    /// Reads the weights and builds the network where the choice says.
    async fn load(&mut self, bytes: ByteBuf) {
        let started = now();
        self.weights = Some(bytes);
        if !self.devices.is_chosen() {
            self.devices.choose(BackendChoice::Auto);
        }
        self.target = self.devices.target().await;
        match self.build() {
            Ok(()) => {
                let parameters = efficientnet::folded_names()
                    .iter()
                    .map(|(_, shape)| shape.iter().product::<usize>())
                    .sum::<usize>() as u32;
                self.send(Event::Loaded {
                    parameters,
                    ms: (now() - started) as f32,
                });
            }
            Err(e) => {
                self.weights = None;
                self.send(Event::LoadFailed(format!(
                    "the EfficientNet-Lite0 weights cannot be read: {e}"
                )));
            }
        }
        self.send_backend();
    }

    /// The network on the current target from the weights received.
    fn build(&mut self) -> Result<(), ModelError> {
        let Some(bytes) = &self.weights else {
            return Ok(());
        };
        let tensors = shipped::read(bytes)?;
        self.extractor = Some(match &self.target {
            Target::Cpu => Extractor::Cpu(EfficientNet::from_folded(Cpu, &tensors)?),
            Target::Gpu(gpu) => match EfficientNet::from_folded(gpu.clone(), &tensors) {
                Ok(net) => Extractor::Gpu(net),
                Err(e) => {
                    self.fall_back(&e.to_string());
                    Extractor::Cpu(EfficientNet::from_folded(Cpu, &tensors)?)
                }
            },
        });
        Ok(())
    }

    async fn choose_backend(&mut self, choice: BackendChoice) {
        self.devices.choose(choice);
        let target = self.devices.target().await;
        let moved = matches!(target, Target::Gpu(_)) != matches!(self.target, Target::Gpu(_));
        self.target = target;
        if moved && let Err(e) = self.build() {
            self.send(Event::LoadFailed(format!(
                "the network cannot be built on this backend: {e}"
            )));
        }
        self.send_backend();
    }

    /// The GPU failed: embed on the CPU from now on, and say so.
    fn fall_back(&mut self, reason: &str) {
        self.devices.gpu_failed(reason);
        self.target = Target::Cpu;
        self.send(Event::FellBack(reason.to_string()));
    }

    async fn embed(&mut self, id: u32, pixels: &[u8], top: u8) {
        let input = match frame_input(pixels) {
            Ok(input) => input,
            Err(reason) => return self.send(Event::EmbedFailed { id, reason }),
        };
        let images = match Images::new(&input, 1, FRAME, FRAME, Layout::Nhwc) {
            Ok(images) => images,
            Err(e) => {
                return self.send(Event::EmbedFailed {
                    id,
                    reason: e.to_string(),
                });
            }
        };
        let started = now();
        let output = match &self.extractor {
            None => {
                return self.send(Event::EmbedFailed {
                    id,
                    reason: "the network is not loaded yet".into(),
                });
            }
            Some(Extractor::Cpu(net)) => net.forward(&images),
            Some(Extractor::Gpu(net)) => match net.forward_async(&images).await {
                Ok(output) => Ok(output),
                Err(e) => {
                    // A lost or failing GPU: carry on on the CPU with this frame.
                    let reason = match &e {
                        ModelError::Engine(EngineError::Backend(reason)) => reason.clone(),
                        other => other.to_string(),
                    };
                    self.fall_back(&reason);
                    if let Err(e) = self.build() {
                        return self.send(Event::EmbedFailed {
                            id,
                            reason: e.to_string(),
                        });
                    }
                    self.send_backend();
                    match &self.extractor {
                        Some(Extractor::Cpu(net)) => net.forward(&images),
                        _ => Err(e),
                    }
                }
            },
        };
        let ms = (now() - started) as f32;
        match output {
            Ok(output) => {
                let top = imagenet::top_k(&output.logits, usize::from(top))
                    .into_iter()
                    .map(|(class, p)| (class as u32, p))
                    .collect();
                self.send(Event::Embedded(Embedded {
                    id,
                    embedding: output.features,
                    top,
                    ms,
                    memory_bytes: crate::worker::meter::wasm_bytes(),
                }));
            }
            Err(e) => self.send(Event::EmbedFailed {
                id,
                reason: e.to_string(),
            }),
        }
    }

    fn start_training(
        &mut self,
        embeddings: &[f32],
        labels: &[u8],
        classes: u8,
        settings: &str,
        seed: u32,
    ) {
        let settings: HeadSettings = match serde_json::from_str(settings) {
            Ok(settings) => settings,
            Err(e) => return self.send(Event::TrainFailed(format!("bad head settings: {e}"))),
        };
        if embeddings.len() != labels.len() * EMBEDDING {
            return self.send(Event::TrainFailed(format!(
                "{} values are not {} embeddings of {EMBEDDING}",
                embeddings.len(),
                labels.len()
            )));
        }
        let examples: Vec<(usize, &[f32])> = labels
            .iter()
            .zip(embeddings.chunks_exact(EMBEDDING))
            .map(|(&label, embedding)| (usize::from(label), embedding))
            .collect();
        match HeadTrainer::new(
            Cpu,
            &examples,
            usize::from(classes),
            &settings,
            u64::from(seed),
        ) {
            Ok(trainer) => {
                self.training = Some(Training {
                    trainer,
                    epochs: settings.epochs as u32,
                    started: now(),
                })
            }
            Err(e) => self.send(Event::TrainFailed(e.to_string())),
        }
    }

    /// One epoch of the head in training; the finished head goes to the page.
    fn train_epoch(&mut self) {
        let Some(training) = &mut self.training else {
            return;
        };
        match training.trainer.epoch() {
            Ok(report) => {
                let epochs = training.epochs;
                let done = training.trainer.done();
                self.send(Event::Epoch(EpochReport {
                    epoch: report.epoch as u32,
                    epochs,
                    loss: report.loss,
                    held_out_accuracy: report.held_out_accuracy,
                }));
                if done {
                    self.finish_training();
                }
            }
            Err(e) => {
                self.training = None;
                self.send(Event::TrainFailed(e.to_string()));
            }
        }
    }

    fn stop_training(&mut self) {
        if self.training.is_some() {
            self.finish_training();
        }
    }

    fn finish_training(&mut self) {
        let Some(training) = self.training.take() else {
            return;
        };
        let ms = (now() - training.started) as f32;
        let finished = training.trainer.finish().and_then(|(head, evaluation)| {
            Ok((head.to_bytes()?, serde_json::to_string(&evaluation)))
        });
        match finished {
            Ok((head, Ok(evaluation))) => self.send(Event::Trained {
                head: ByteBuf::from(head),
                evaluation,
                ms,
            }),
            Ok((_, Err(e))) => self.send(Event::TrainFailed(e.to_string())),
            Err(e) => self.send(Event::TrainFailed(e.to_string())),
        }
    }
}

/// A 224×224 RGBA frame as the network's input, `(p − 127)/128` per colour.
fn frame_input(rgba: &[u8]) -> Result<Vec<f32>, String> {
    let image = RgbImage::from_rgba(FRAME, FRAME, rgba).map_err(|e| e.to_string())?;
    Ok(preprocess::normalise(&image))
}
