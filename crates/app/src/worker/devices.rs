//! Which backend to train on: the page's choice, the GPU if one could be
//! opened, and what to tell people about it.
//!
//! The GPU is opened once, the first time a choice may use it, and kept; a
//! GPU that failed (lost, or an error while training) is not used again
//! until the page chooses a backend anew, which tries a fresh device.

use playnet_engine::kernels;
use playnet_gpu::Gpu;

use super::protocol::{BackendChoice, BackendReport};

/// Where to compute.
#[derive(Clone)]
pub enum Target {
    Cpu,
    Gpu(Gpu),
}

/// What became of the GPU.
enum GpuSlot {
    Untried,
    Open(Gpu),
    /// Why there is none (no adapter, or it failed).
    Failed(String),
}

/// The page's choice and the GPU.
pub struct Devices {
    choice: BackendChoice,
    /// Whether the page has chosen yet (it does as it starts).
    chosen: bool,
    gpu: GpuSlot,
}

impl Default for Devices {
    fn default() -> Self {
        Devices {
            choice: BackendChoice::Auto,
            chosen: false,
            gpu: GpuSlot::Untried,
        }
    }
}

impl Devices {
    /// Records the page's choice; a GPU that failed may be tried again.
    pub fn choose(&mut self, choice: BackendChoice) {
        self.choice = choice;
        self.chosen = true;
        if matches!(self.gpu, GpuSlot::Failed(_)) {
            self.gpu = GpuSlot::Untried;
        }
    }

    /// Whether the page has chosen a backend (until then, what trains is
    /// not known yet).
    pub fn is_chosen(&self) -> bool {
        self.chosen
    }

    /// Forgets a GPU that failed (`reason`).
    pub fn gpu_failed(&mut self, reason: &str) {
        self.gpu = GpuSlot::Failed(format!("WebGPU failed ({reason})"));
    }

    /// Where the choice says to train, opening the GPU if it has to.
    pub async fn target(&mut self) -> Target {
        if self.choice == BackendChoice::Cpu {
            return Target::Cpu;
        }
        if matches!(self.gpu, GpuSlot::Untried) {
            self.gpu = match Gpu::new().await {
                Ok(gpu) => GpuSlot::Open(gpu),
                // wgpu lists every native API it was built without: say it plainly.
                Err(e) if e.to_string().contains("no GPU adapter") => {
                    GpuSlot::Failed("this browser offers no WebGPU adapter".into())
                }
                Err(e) => GpuSlot::Failed(format!("WebGPU cannot start ({e})")),
            };
        }
        match (&self.gpu, self.choice) {
            (GpuSlot::Open(gpu), BackendChoice::WebGpu) => Target::Gpu(gpu.clone()),
            (GpuSlot::Open(gpu), _) if !gpu.is_software() => Target::Gpu(gpu.clone()),
            _ => Target::Cpu,
        }
    }

    /// The page's readout for training on `target` (normally the last
    /// [`Devices::target`]).
    pub fn report(&self, target: &Target) -> BackendReport {
        let detail = match (target, &self.gpu, self.choice) {
            (Target::Gpu(gpu), _, _) => format!("WebGPU on {}", gpu.describe()),
            (Target::Cpu, _, BackendChoice::Cpu) => "CPU, as chosen".into(),
            (Target::Cpu, GpuSlot::Open(gpu), _) => format!(
                "CPU: WebGPU's adapter, {}, is a software one, slower than the CPU kernels",
                gpu.describe()
            ),
            (Target::Cpu, GpuSlot::Failed(reason), _) => format!("CPU: {reason}"),
            (Target::Cpu, GpuSlot::Untried, _) => "CPU".into(),
        };
        let name = match target {
            Target::Gpu(_) => "webgpu".into(),
            Target::Cpu => cpu_name(),
        };
        BackendReport { name, detail }
    }
}

/// The CPU kernels in use, as the page's `backend` readout shows them.
pub fn cpu_name() -> String {
    let simd = cfg!(target_feature = "simd128") && kernels::simd_enabled();
    if simd { "cpu-simd128" } else { "cpu-scalar" }.to_string()
}

#[cfg(test)]
mod tests {
    use playnet_engine::ready;

    use super::*;

    #[test]
    fn the_cpu_choice_never_opens_a_gpu_and_says_why_it_trains_there() {
        let mut devices = Devices::default();
        devices.choose(BackendChoice::Cpu);
        let target = ready(devices.target()).unwrap();
        assert!(matches!(target, Target::Cpu));
        assert!(matches!(devices.gpu, GpuSlot::Untried));
        let report = devices.report(&target);
        assert!(report.name.starts_with("cpu-"), "{report:?}");
        assert_eq!(report.detail, "CPU, as chosen");
    }

    #[test]
    fn a_failed_gpu_is_reported_and_tried_again_only_when_chosen_again() {
        let mut devices = Devices::default();
        devices.choose(BackendChoice::WebGpu);
        devices.gpu_failed("the GPU device was lost");
        let report = devices.report(&Target::Cpu);
        assert_eq!(
            report.detail,
            "CPU: WebGPU failed (the GPU device was lost)"
        );
        devices.choose(BackendChoice::WebGpu);
        assert!(matches!(devices.gpu, GpuSlot::Untried));
    }
}
