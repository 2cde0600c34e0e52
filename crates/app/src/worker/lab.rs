//! A [`Lab`] on whichever backend trains: the worker's one place that knows
//! there are two. Each method forwards to the lab it holds.

use std::sync::Arc;

use playnet_data::Mnist;
use playnet_engine::{Checkpoint, Cpu, Tensor};
use playnet_gpu::Gpu;

use super::devices::Target;
use playnet_mnist::{Bands, FilterImages, Lab, LabError, LayerMaps, PIXELS, Setup, StepStats};

/// A lab on the CPU or on the GPU.
pub enum AnyLab {
    Cpu(Lab<Cpu>),
    Gpu(Lab<Gpu>),
}

/// Runs `$body` with `$lab` bound to the lab, whatever its backend.
macro_rules! each {
    ($self:expr, $lab:ident => $body:expr) => {
        match $self {
            AnyLab::Cpu($lab) => $body,
            AnyLab::Gpu($lab) => $body,
        }
    };
}

impl AnyLab {
    /// A fresh network on `target`.
    pub fn new(
        target: &Target,
        data: Arc<Mnist>,
        setup: Setup,
        seed: u64,
    ) -> Result<AnyLab, LabError> {
        Ok(match target {
            Target::Cpu => AnyLab::Cpu(Lab::new(Cpu, data, setup, seed)?),
            Target::Gpu(gpu) => AnyLab::Gpu(Lab::new(gpu.clone(), data, setup, seed)?),
        })
    }

    /// The same session on `target` with `weights` (saved at `step`); see
    /// [`Lab::carry_to`].
    pub fn carry_to(
        &self,
        target: &Target,
        weights: &Checkpoint,
        step: u32,
        seed: u64,
    ) -> Result<AnyLab, LabError> {
        each!(self, lab => Ok(match target {
            Target::Cpu => AnyLab::Cpu(lab.carry_to(Cpu, weights, step, seed)?),
            Target::Gpu(gpu) => AnyLab::Gpu(lab.carry_to(gpu.clone(), weights, step, seed)?),
        }))
    }

    /// See [`Lab::set_epoch`].
    pub fn set_epoch(&mut self, epoch: u32) {
        each!(self, lab => lab.set_epoch(epoch))
    }

    /// See [`Lab::epoch`].
    pub fn epoch(&self) -> u32 {
        each!(self, lab => lab.epoch())
    }

    /// The GPU this lab trains on, if it does.
    pub fn gpu(&self) -> Option<&Gpu> {
        match self {
            AnyLab::Cpu(_) => None,
            AnyLab::Gpu(lab) => Some(lab.net().backend()),
        }
    }

    /// The page's short name for the backend: `webgpu`, `cpu-simd128`…
    pub fn backend_name(&self) -> String {
        match self {
            AnyLab::Cpu(_) => super::devices::cpu_name(),
            AnyLab::Gpu(_) => "webgpu".into(),
        }
    }

    pub fn steps(&self) -> u32 {
        each!(self, lab => lab.steps())
    }

    pub fn setup(&self) -> &Setup {
        each!(self, lab => lab.setup())
    }

    pub fn data(&self) -> &Mnist {
        each!(self, lab => lab.data())
    }

    /// The last batch: training image index, predicted class, probability.
    pub fn last_batch(&self) -> Vec<(usize, u8, f32)> {
        each!(self, lab => lab.last_batch().collect())
    }

    pub async fn step(&mut self) -> Result<StepStats, LabError> {
        each!(self, lab => lab.step().await)
    }

    pub async fn classify(&self, image: &[f32]) -> Result<[f32; 10], LabError> {
        each!(self, lab => lab.classify(image).await)
    }

    pub async fn activation_maps(&self, image: &[f32]) -> Result<Vec<LayerMaps>, LabError> {
        each!(self, lab => lab.activation_maps(image).await)
    }

    pub async fn save(&self) -> Result<Checkpoint, LabError> {
        each!(self, lab => lab.save().await)
    }

    pub fn load(&mut self, checkpoint: &Checkpoint, seed: u64) -> Result<(), LabError> {
        each!(self, lab => lab.load(checkpoint, seed))
    }

    pub async fn bands(&self) -> Result<Vec<Bands>, LabError> {
        each!(self, lab => lab.bands().await)
    }

    pub async fn first_layer(&self, limit: usize) -> Result<Option<FilterImages>, LabError> {
        each!(self, lab => lab.first_layer(limit).await)
    }

    /// Class probabilities of `pixels` (`count` images of [`PIXELS`] values),
    /// in evaluation mode: `count` rows of 10.
    pub async fn predict(&self, pixels: &[f32], count: usize) -> Result<Vec<f32>, LabError> {
        each!(self, lab => {
            let backend = lab.net().backend();
            let x = Tensor::from_slice(backend, pixels, [count, PIXELS])?;
            Ok(lab.net().predict(&x)?.to_vec(backend).await?)
        })
    }
}
