//! Reading a buffer back to the host, asynchronously.
//!
//! The buffer is copied into a staging buffer at the end of the pending work,
//! everything is submitted, and the staging buffer is mapped. In the browser
//! the mapping completes on its own and wakes the future. Natively nothing
//! completes unless the device is polled, so the future polls the device,
//! waiting for that submission, the first time it is polled itself: natively a
//! readback is ready after one poll, which also lets
//! [`playnet_engine::ready`] run it.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

use playnet_engine::EngineError;

use crate::device::{Gpu, GpuBuffer, lock};

/// The outcome of `map_async` and whom to wake for it.
#[derive(Default)]
struct Slot {
    outcome: Option<Result<(), wgpu::BufferAsyncError>>,
    waker: Option<Waker>,
}

/// A pending readback; see the module documentation.
pub struct Readback {
    state: State,
}

enum State {
    /// Nothing to wait for: an empty buffer or an earlier failure.
    Done(Option<Result<Vec<f32>, EngineError>>),
    Waiting {
        gpu: Gpu,
        staging: wgpu::Buffer,
        len: usize,
        slot: Arc<Mutex<Slot>>,
        submission: Option<wgpu::SubmissionIndex>,
    },
}

impl Gpu {
    pub(crate) fn read_buffer(&self, buffer: &GpuBuffer) -> Readback {
        let done = |result| Readback {
            state: State::Done(Some(result)),
        };
        if let Err(e) = self.health() {
            return done(Err(e));
        }
        let len = buffer.len;
        if len == 0 {
            return done(Ok(Vec::new()));
        }
        let size = len as u64 * 4;
        let staging = self.device().create_buffer(&wgpu::BufferDescriptor {
            label: Some("readback"),
            size,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        self.record(|encoder| {
            encoder.copy_buffer_to_buffer(&buffer.buffer, 0, &staging, 0, size);
        });
        // `None` (the copy was already submitted by a full batch) waits for
        // everything submitted, which includes it.
        let submission = self.submit(&mut self.recorder());
        let slot = Arc::new(Mutex::new(Slot::default()));
        let callback_slot = slot.clone();
        staging.map_async(wgpu::MapMode::Read, .., move |outcome| {
            let waker = {
                let mut slot = lock(&callback_slot);
                slot.outcome = Some(outcome);
                slot.waker.take()
            };
            if let Some(waker) = waker {
                waker.wake();
            }
        });
        Readback {
            state: State::Waiting {
                gpu: self.clone(),
                staging,
                len,
                slot,
                submission,
            },
        }
    }
}

impl Future for Readback {
    type Output = Result<Vec<f32>, EngineError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let result = match &mut self.state {
            State::Done(result) => {
                return Poll::Ready(result.take().unwrap_or(Err(EngineError::Internal(
                    "a readback was polled after it finished",
                ))));
            }
            State::Waiting {
                gpu,
                staging,
                len,
                slot,
                submission,
            } => {
                #[cfg(not(target_arch = "wasm32"))]
                wait_natively(gpu, slot, submission);
                #[cfg(target_arch = "wasm32")]
                let _ = submission;
                let outcome = {
                    let mut slot = lock(slot);
                    match slot.outcome.take() {
                        Some(outcome) => outcome,
                        None => {
                            if let Err(e) = gpu.health() {
                                return Poll::Ready(Err(e));
                            }
                            slot.waker = Some(cx.waker().clone());
                            return Poll::Pending;
                        }
                    }
                };
                finish(gpu, staging, *len, outcome)
            }
        };
        self.state = State::Done(None);
        Poll::Ready(result)
    }
}

/// Natively, blocks until the submission holding the copy has run, which
/// also runs the mapping callback.
#[cfg(not(target_arch = "wasm32"))]
fn wait_natively(gpu: &Gpu, slot: &Mutex<Slot>, submission: &Option<wgpu::SubmissionIndex>) {
    if lock(slot).outcome.is_some() {
        return;
    }
    let wait = wgpu::PollType::Wait {
        submission_index: submission.clone(),
        timeout: None,
    };
    if let Err(e) = gpu.device().poll(wait) {
        gpu.shared
            .health
            .fail(format!("GPU error while reading back: {e}"));
    }
}

/// The values of a mapped staging buffer, unless the device failed since.
fn finish(
    gpu: &Gpu,
    staging: &wgpu::Buffer,
    len: usize,
    outcome: Result<(), wgpu::BufferAsyncError>,
) -> Result<Vec<f32>, EngineError> {
    if let Err(e) = outcome {
        gpu.health()?;
        return Err(EngineError::Backend(format!(
            "cannot read a GPU buffer back: {e}"
        )));
    }
    let mut values = {
        let view = staging
            .get_mapped_range(..)
            .map_err(|e| EngineError::Backend(format!("cannot read a GPU buffer back: {e}")))?;
        bytemuck::pod_collect_to_vec::<u8, f32>(&view)
    };
    staging.unmap();
    // A failure anywhere before makes these numbers suspect.
    gpu.health()?;
    values.truncate(len);
    Ok(values)
}
