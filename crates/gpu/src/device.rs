//! The device: opening it, its health, buffers, and recording work.
//!
//! Work is recorded into one pending command encoder, one compute pass per
//! kernel, and submitted in batches (every [`FLUSH_EVERY`] passes, and before
//! every readback), so a training step costs a handful of submissions and no
//! waiting. WebGPU runs submitted work in order and inserts the barriers
//! between passes, so a kernel always sees the results of those recorded
//! before it.
//!
//! Errors that WebGPU reports asynchronously (validation, out of memory, a
//! lost device) cannot be returned from the [`playnet_engine::Backend`]
//! methods that caused them; they are kept in the device's health and turn
//! the next readback into an [`EngineError::Backend`].

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use playnet_engine::EngineError;

use crate::kernels::{Kernel, Pipelines};
use crate::pool::{Pool, Pooled};

/// Passes recorded before the pending encoder is submitted on its own.
const FLUSH_EVERY: u32 = 128;

/// Bytes between two dispatches' parameters: WebGPU's default
/// `minUniformBufferOffsetAlignment`, which is also more than any kernel's
/// parameters take.
const PARAM_SLOT: usize = 256;

/// Bytes of an `f32`.
const F32: u64 = 4;

/// The WebGPU backend: a device, its queue and its compiled kernels.
///
/// Cheap to clone (clones share the device). Open one with [`Gpu::new`].
#[derive(Clone)]
pub struct Gpu {
    pub(crate) shared: Arc<Shared>,
}

pub(crate) struct Shared {
    pub device: wgpu::Device,
    pub queue: wgpu::Queue,
    pub info: wgpu::AdapterInfo,
    pub pipelines: Pipelines,
    pub recorder: Mutex<Recorder>,
    pub health: Health,
    pub pool: Arc<Pool>,
}

/// The pending command encoder and the passes recorded into it.
#[derive(Default)]
pub(crate) struct Recorder {
    encoder: Option<wgpu::CommandEncoder>,
    passes: u32,
    /// The batch's kernel parameters, one [`PARAM_SLOT`] per dispatch…
    params: Vec<u8>,
    /// …and the uniform buffer they are written to when it is submitted,
    /// so that a dispatch costs no buffer of its own. One buffer serves
    /// every batch: a batch's parameters are written after the batches
    /// before it have been submitted, and the queue runs in order.
    arena: Option<wgpu::Buffer>,
}

impl Recorder {
    /// Stages one dispatch's parameters: the arena buffer and the offset
    /// they will be at.
    fn stage_params(&mut self, device: &wgpu::Device, bytes: &[u8]) -> (wgpu::Buffer, u64) {
        debug_assert!(bytes.len() <= PARAM_SLOT, "kernel parameters fit a slot");
        let arena = self.arena.get_or_insert_with(|| {
            device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("kernel parameters"),
                size: u64::from(FLUSH_EVERY) * PARAM_SLOT as u64,
                usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            })
        });
        let offset = self.params.len();
        self.params.extend_from_slice(bytes);
        self.params.resize(offset + PARAM_SLOT, 0);
        (arena.clone(), offset as u64)
    }
}

/// The first failure the device reported, if any; shared with wgpu's
/// callbacks.
#[derive(Clone, Default)]
pub(crate) struct Health(Arc<Mutex<Option<String>>>);

impl Health {
    /// Keeps `message` unless an earlier failure is already kept (the first
    /// one is the cause; later ones are usually its consequences).
    pub fn fail(&self, message: String) {
        let mut first = lock(&self.0);
        if first.is_none() {
            *first = Some(message);
        }
    }

    /// `Err` with the first failure, if there was one.
    pub fn check(&self) -> Result<(), EngineError> {
        match &*lock(&self.0) {
            None => Ok(()),
            Some(message) => Err(EngineError::Backend(message.clone())),
        }
    }
}

/// Locks a mutex, ignoring poisoning: the data behind ours (an encoder, a
/// message) stays usable even if a thread panicked while holding it.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A flat `f32` array in GPU memory, shared cheaply (clones share it).
///
/// The optimiser step updates a parameter in place when no one else holds
/// its buffer, and copies it first otherwise, as the CPU backend does.
#[derive(Clone)]
pub struct GpuBuffer {
    pub(crate) buffer: Arc<Pooled>,
    pub(crate) len: usize,
}

impl GpuBuffer {
    /// Number of `f32` elements.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when the buffer holds no element.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The underlying wgpu buffer (possibly larger than `len` elements, and
    /// never empty).
    pub fn raw(&self) -> &wgpu::Buffer {
        &self.buffer
    }
}

impl fmt::Debug for GpuBuffer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GpuBuffer({} × f32)", self.len)
    }
}

impl Gpu {
    /// Opens the best GPU adapter (WebGPU in the browser, Vulkan natively)
    /// and compiles every kernel.
    ///
    /// Fails with [`EngineError::Backend`] when there is no adapter (no
    /// WebGPU in this browser, no Vulkan driver), when the device cannot be
    /// opened, or when a shader does not compile on it.
    pub async fn new() -> Result<Gpu, EngineError> {
        let instance =
            wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env());
        let adapter = instance
            .request_adapter(&wgpu::RequestAdapterOptions {
                power_preference: wgpu::PowerPreference::HighPerformance,
                ..Default::default()
            })
            .await
            .map_err(|e| EngineError::Backend(format!("no GPU adapter: {e}")))?;
        let info = adapter.get_info();
        // WebGPU's default limits, which every adapter offers, except that
        // buffers may be as large as this adapter allows (big batches).
        let supported = adapter.limits();
        let limits = wgpu::Limits {
            max_buffer_size: supported.max_buffer_size,
            max_storage_buffer_binding_size: supported.max_storage_buffer_binding_size,
            ..wgpu::Limits::default()
        };
        let (device, queue) = adapter
            .request_device(&wgpu::DeviceDescriptor {
                label: Some("playnet"),
                required_limits: limits,
                ..Default::default()
            })
            .await
            .map_err(|e| {
                EngineError::Backend(format!("cannot open the GPU {:?}: {e}", info.name))
            })?;

        let health = Health::default();
        let on_error = health.clone();
        device.on_uncaptured_error(Arc::new(move |error: wgpu::Error| {
            on_error.fail(format!("GPU error: {error}"));
        }));
        let on_lost = health.clone();
        device.set_device_lost_callback(move |reason, message| {
            on_lost.fail(format!("the GPU device was lost ({reason:?}): {message}"));
        });

        let pipelines = Pipelines::build(&device).await?;
        health.check()?;
        #[cfg_attr(
            target_arch = "wasm32",
            allow(
                clippy::arc_with_non_send_sync,
                reason = "WebGPU objects live on one thread (the page's or a worker's)"
            )
        )]
        let shared = Arc::new(Shared {
            device,
            queue,
            info,
            pipelines,
            recorder: Mutex::new(Recorder::default()),
            health,
            pool: Arc::new(Pool::default()),
        });
        Ok(Gpu { shared })
    }

    /// The adapter in use (name, driver, whether it is a CPU emulation).
    pub fn adapter_info(&self) -> &wgpu::AdapterInfo {
        &self.shared.info
    }

    /// True when the adapter is a CPU emulation (Mesa's lavapipe, Chromium's
    /// SwiftShader): correct, but far slower than the engine's CPU backend,
    /// so an automatic choice should prefer the CPU.
    pub fn is_software(&self) -> bool {
        self.shared.info.device_type == wgpu::DeviceType::Cpu
    }

    /// One line for people: the adapter's name, its API and its kind.
    pub fn describe(&self) -> String {
        let info = &self.shared.info;
        // Browsers may keep the adapter's name to themselves.
        let name = if info.name.is_empty() {
            "unnamed adapter"
        } else {
            &info.name
        };
        let kind = match info.device_type {
            wgpu::DeviceType::DiscreteGpu => "discrete GPU",
            wgpu::DeviceType::IntegratedGpu => "integrated GPU",
            wgpu::DeviceType::VirtualGpu => "virtual GPU",
            wgpu::DeviceType::Cpu => "CPU emulation",
            wgpu::DeviceType::Other => "unknown kind",
        };
        format!("{name} ({:?}, {kind})", info.backend)
    }

    /// `Err` once the device has reported a failure (a lost device, an
    /// invalid operation, running out of memory): results computed since may
    /// be wrong, and the caller should fall back to the CPU. Readbacks check
    /// this too.
    pub fn health(&self) -> Result<(), EngineError> {
        self.shared.health.check()
    }

    /// Submits the work recorded so far without waiting for it.
    pub fn flush(&self) {
        let mut recorder = lock(&self.shared.recorder);
        self.submit(&mut recorder);
    }

    /// Destroys the device, as losing it would: every later readback fails
    /// with [`EngineError::Backend`]. For testing fallbacks.
    pub fn destroy(&self) {
        self.shared.device.destroy();
        self.shared
            .health
            .fail("the GPU device was destroyed".to_string());
    }

    pub(crate) fn device(&self) -> &wgpu::Device {
        &self.shared.device
    }

    /// A buffer of `len` elements, recycled if one of its size is free: its
    /// contents are undefined, for kernels that write every element.
    pub(crate) fn alloc(&self, len: usize) -> GpuBuffer {
        let buffer = self.shared.pool.take(&self.shared.device, len as u64 * F32);
        self.wrap(buffer, len)
    }

    /// A buffer of `len` zeros.
    pub(crate) fn alloc_zeroed(&self, len: usize) -> GpuBuffer {
        let out = self.alloc(len);
        self.record(|encoder| encoder.clear_buffer(&out.buffer, 0, None));
        out
    }

    /// A buffer holding `data`.
    pub(crate) fn alloc_init(&self, data: &[f32]) -> GpuBuffer {
        let out = self.alloc(data.len());
        if !data.is_empty() {
            // A write is queued before any pending pass, which may still read
            // what a recycled buffer held: submit those passes first.
            self.flush();
            self.shared
                .queue
                .write_buffer(&out.buffer, 0, bytemuck::cast_slice(data));
        }
        out
    }

    #[cfg_attr(
        target_arch = "wasm32",
        allow(
            clippy::arc_with_non_send_sync,
            reason = "WebGPU objects live on one thread (the page's or a worker's)"
        )
    )]
    fn wrap(&self, buffer: Pooled, len: usize) -> GpuBuffer {
        GpuBuffer {
            buffer: Arc::new(buffer),
            len,
        }
    }

    /// Makes `buffer` the only handle on its memory, copying it if it is
    /// shared, so that a kernel may write it in place.
    pub(crate) fn make_unique(&self, buffer: &mut GpuBuffer) {
        if Arc::get_mut(&mut buffer.buffer).is_some() {
            return;
        }
        let copy = self.alloc(buffer.len);
        self.copy(buffer, 0, &copy, buffer.len);
        *buffer = copy;
    }

    /// Records a copy of `len` elements of `from`, starting at element
    /// `start`, to the beginning of `to`.
    pub(crate) fn copy(&self, from: &GpuBuffer, start: usize, to: &GpuBuffer, len: usize) {
        if len == 0 {
            return;
        }
        // Pooled buffers may be larger than their tensors: WebGPU's own
        // bounds checks would not catch this.
        if start + len > from.len || len > to.len {
            self.shared.health.fail(format!(
                "GPU error: a copy of elements {start}..{} of a buffer of {}",
                start + len,
                from.len
            ));
            return;
        }
        self.record(|encoder| {
            encoder.copy_buffer_to_buffer(
                &from.buffer,
                start as u64 * F32,
                &to.buffer,
                0,
                len as u64 * F32,
            );
        });
    }

    /// Records one compute pass running `kernel` over `grid` workgroups, with
    /// `params` as its uniform, `inputs` at bindings 1… and `outputs` at
    /// bindings 8… (the convention of every shader in `shaders/`).
    pub(crate) fn dispatch(
        &self,
        kernel: Kernel,
        params: &[u32],
        inputs: &[&GpuBuffer],
        outputs: &[&GpuBuffer],
        grid: [u32; 3],
    ) {
        if self.health().is_err() {
            // Nothing computed now could be trusted or read back.
            return;
        }
        let device = &self.shared.device;
        let pipeline = self.shared.pipelines.get(kernel);
        // Uniform bindings are read in 16-byte rows.
        let mut words = params.to_vec();
        words.resize(params.len().next_multiple_of(4).max(4), 0);
        let bytes: &[u8] = bytemuck::cast_slice(&words);

        let mut recorder = self.recorder();
        let (arena, offset) = recorder.stage_params(device, bytes);
        let mut entries = vec![wgpu::BindGroupEntry {
            binding: 0,
            resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                buffer: &arena,
                offset,
                size: wgpu::BufferSize::new(bytes.len() as u64),
            }),
        }];
        for (binding, buffer) in (1..).zip(inputs).chain((8..).zip(outputs)) {
            entries.push(wgpu::BindGroupEntry {
                binding,
                resource: buffer.buffer.as_entire_binding(),
            });
        }
        let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some(kernel.entry()),
            layout: &pipeline.get_bind_group_layout(0),
            entries: &entries,
        });
        self.record_into(&mut recorder, |encoder| {
            let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some(kernel.entry()),
                timestamp_writes: None,
            });
            pass.set_pipeline(pipeline);
            pass.set_bind_group(0, &bind_group, &[]);
            pass.dispatch_workgroups(grid[0], grid[1], grid[2]);
        });
    }

    /// Records into the pending encoder, submitting it every
    /// [`FLUSH_EVERY`] passes.
    pub(crate) fn record(&self, f: impl FnOnce(&mut wgpu::CommandEncoder)) {
        let mut recorder = self.recorder();
        self.record_into(&mut recorder, f);
    }

    fn record_into(&self, recorder: &mut Recorder, f: impl FnOnce(&mut wgpu::CommandEncoder)) {
        let encoder = recorder.encoder.get_or_insert_with(|| {
            self.shared
                .device
                .create_command_encoder(&wgpu::CommandEncoderDescriptor { label: None })
        });
        f(encoder);
        recorder.passes += 1;
        if recorder.passes >= FLUSH_EVERY {
            self.submit(recorder);
        }
    }

    /// Submits the pending encoder (if any) and returns the submission.
    pub(crate) fn submit(&self, recorder: &mut Recorder) -> Option<wgpu::SubmissionIndex> {
        // Parameters are written before any command buffer submitted after
        // the write, so before the passes that read them.
        if let Some(arena) = &recorder.arena
            && !recorder.params.is_empty()
        {
            self.shared.queue.write_buffer(arena, 0, &recorder.params);
        }
        recorder.params.clear();
        let encoder = recorder.encoder.take()?;
        recorder.passes = 0;
        let index = self.shared.queue.submit([encoder.finish()]);
        // Natively, finished submissions free their buffers only when the
        // device is polled; on the web this does nothing.
        #[cfg(not(target_arch = "wasm32"))]
        if let Err(e) = self.shared.device.poll(wgpu::PollType::Poll) {
            self.shared.health.fail(format!("GPU error: {e}"));
        }
        Some(index)
    }

    pub(crate) fn recorder(&self) -> MutexGuard<'_, Recorder> {
        lock(&self.shared.recorder)
    }
}

impl fmt::Debug for Gpu {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Gpu")
            .field("adapter", &self.describe())
            .finish()
    }
}
