//! Named parameters: what a layer declares, and the one builder that makes
//! them, fresh or from a file.
//!
//! A layer lists its tensors as [`ParamSpec`]s (a short name, a [`Role`] and
//! a shape). [`Builder`] turns those into [`Param`]s under the layer's dotted
//! prefix (`layers.3.weight`): drawn from the initialiser for a new network,
//! or read by name from a safetensors file for a saved or pretrained one. A
//! missing, mis-shaped or extra tensor is refused with its name and both
//! shapes. Optimisers and the weight penalty read a parameter's role, never
//! its position.

use rand::SeedableRng;

use crate::checkpoint::Unpacker;
use crate::{Backend, EngineError, Init, Tensor};

/// What a tensor is for: how it starts out, whether training moves it, and
/// whether the weight penalty (L1/L2) applies to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// A weight matrix or filter, drawn from the initialiser; penalised.
    Weight,
    /// A bias, starting at the initialiser's bias; not penalised.
    Bias,
    /// A per-channel scale (batch norm's γ), starting at 1; not penalised.
    Scale,
    /// A per-channel offset (batch norm's β), starting at 0; not penalised.
    Shift,
    /// A running mean (batch norm's), starting at 0; kept, never trained.
    MovingMean,
    /// A running variance (batch norm's), starting at 1; kept, never trained.
    MovingVariance,
}

impl Role {
    /// Whether the optimiser updates tensors of this role.
    pub fn is_trained(self) -> bool {
        !matches!(self, Role::MovingMean | Role::MovingVariance)
    }

    /// Whether the weight penalty applies (weights only, as TensorFlow
    /// Playground and most trainers do).
    pub fn decays(self) -> bool {
        self == Role::Weight
    }
}

/// One tensor a layer needs, before it exists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamSpec {
    /// The name inside the layer (`weight`, `bias`, `gamma`, …).
    pub name: &'static str,
    pub role: Role,
    /// For a [`Role::Weight`] the last axis is the fan-out and the product
    /// of the others the fan-in.
    pub shape: Vec<usize>,
}

impl ParamSpec {
    /// A spec of `role` named `name`.
    pub fn new(name: &'static str, role: Role, shape: impl Into<Vec<usize>>) -> Self {
        ParamSpec {
            name,
            role,
            shape: shape.into(),
        }
    }

    /// Values in the tensor, or `None` if the count overflows a `usize`.
    pub fn checked_len(&self) -> Option<usize> {
        self.shape.iter().try_fold(1usize, |n, &d| n.checked_mul(d))
    }
}

/// A network's tensor with its dotted name and role.
pub struct Param<B: Backend> {
    /// The full dotted name (`layers.3.weight`), as checkpoints store it.
    pub name: String,
    pub role: Role,
    pub tensor: Tensor<B>,
    /// A frozen parameter gets no gradient and the optimiser leaves it alone.
    pub frozen: bool,
}

impl<B: Backend> Param<B> {
    /// Whether a training step computes its gradient and updates it.
    pub fn is_trainable(&self) -> bool {
        self.role.is_trained() && !self.frozen
    }
}

impl<B: Backend> Clone for Param<B> {
    fn clone(&self) -> Self {
        Param {
            name: self.name.clone(),
            role: self.role,
            tensor: self.tensor.clone(),
            frozen: self.frozen,
        }
    }
}

/// Where a [`Builder`]'s tensors come from.
enum Source<'a> {
    /// Drawn afresh: weights from the initialiser's random stream, in the
    /// order they are asked for.
    Fresh { init: Init, rng: rand_pcg::Pcg64Mcg },
    /// Read by name from a safetensors file.
    File(&'a Unpacker<'a>),
}

/// Makes every parameter of a network, fresh or from a file, by name.
pub struct Builder<'a, B: Backend> {
    backend: B,
    source: Source<'a>,
    made: usize,
}

impl<'a, B: Backend> Builder<'a, B> {
    /// Fresh parameters: weights drawn by `init` from a stream seeded with
    /// `seed` (the same seed gives the same weights on every platform).
    pub fn fresh(backend: B, init: Init, seed: u64) -> Self {
        Builder {
            backend,
            source: Source::Fresh {
                init,
                rng: rand_pcg::Pcg64Mcg::seed_from_u64(seed),
            },
            made: 0,
        }
    }

    /// Parameters read from `file` by name.
    pub fn from_file(backend: B, file: &'a Unpacker<'a>) -> Self {
        Builder {
            backend,
            source: Source::File(file),
            made: 0,
        }
    }

    /// The parameter `prefix.name` for `spec`.
    pub fn make(&mut self, prefix: &str, spec: &ParamSpec) -> Result<Param<B>, EngineError> {
        let name = if prefix.is_empty() {
            spec.name.to_string()
        } else {
            format!("{prefix}.{}", spec.name)
        };
        let shape = spec.shape.as_slice();
        let tensor = match &mut self.source {
            Source::Fresh { init, rng } => match spec.role {
                Role::Weight => {
                    let (fan_out, rest) = shape.split_last().ok_or_else(|| {
                        EngineError::Config(format!("{name}: a weight needs at least one axis"))
                    })?;
                    let fan_in = rest.iter().product::<usize>().max(1);
                    Tensor::from_slice(&self.backend, &init.weights(fan_in, *fan_out, rng), shape)?
                }
                Role::Bias => Tensor::full(&self.backend, init.bias(), shape),
                Role::Scale | Role::MovingVariance => Tensor::full(&self.backend, 1.0, shape),
                Role::Shift | Role::MovingMean => Tensor::full(&self.backend, 0.0, shape),
            },
            Source::File(file) => file.tensor(&self.backend, &name, shape)?,
        };
        self.made += 1;
        Ok(Param {
            name,
            role: spec.role,
            tensor,
            frozen: false,
        })
    }

    /// Checks that a file held nothing but the tensors asked for.
    pub fn finish(self) -> Result<(), EngineError> {
        match self.source {
            Source::Fresh { .. } => Ok(()),
            Source::File(file) => file.expect_count(self.made),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkpoint::pack;
    use crate::{Cpu, ready};

    fn specs() -> [ParamSpec; 3] {
        [
            ParamSpec::new("weight", Role::Weight, [3, 2]),
            ParamSpec::new("bias", Role::Bias, [2]),
            ParamSpec::new("moving_var", Role::MovingVariance, [2]),
        ]
    }

    #[test]
    fn fresh_parameters_follow_their_roles() {
        let mut b = Builder::fresh(Cpu, Init::Xavier, 1);
        let made: Vec<_> = specs()
            .iter()
            .map(|s| b.make("dense", s).unwrap())
            .collect();
        assert_eq!(made[0].name, "dense.weight");
        assert!(made[0].tensor.buffer().iter().any(|&v| v != 0.0));
        assert_eq!(
            made[1].tensor.buffer().to_vec(),
            vec![Init::Xavier.bias(); 2]
        );
        assert_eq!(made[2].tensor.buffer().to_vec(), vec![1.0; 2]);
        assert!(made[0].role.decays() && !made[1].role.decays());
        assert!(made[1].is_trainable() && !made[2].is_trainable());
        // The same seed draws the same weights.
        let again = Builder::fresh(Cpu, Init::Xavier, 1)
            .make("dense", &specs()[0])
            .unwrap();
        assert_eq!(
            again.tensor.buffer().to_vec(),
            made[0].tensor.buffer().to_vec()
        );
    }

    #[test]
    fn a_file_fills_parameters_by_name_and_refuses_what_does_not_fit() {
        let mut fresh = Builder::fresh(Cpu, Init::He, 3);
        let made: Vec<_> = specs()
            .iter()
            .map(|s| fresh.make("l", s).unwrap())
            .collect();
        let named: Vec<_> = made
            .iter()
            .map(|p| (p.name.clone(), p.tensor.clone()))
            .collect();
        let bytes = ready(pack(&Cpu, &named)).unwrap().unwrap();
        let file = Unpacker::new(&bytes).unwrap();

        let mut b = Builder::from_file(Cpu, &file);
        for (spec, original) in specs().iter().zip(&made) {
            let p = b.make("l", spec).unwrap();
            assert_eq!(
                p.tensor.buffer().to_vec(),
                original.tensor.buffer().to_vec()
            );
        }
        b.finish().unwrap();

        let mut short = Builder::from_file(Cpu, &file);
        short.make("l", &specs()[0]).unwrap();
        let extra = short.finish().unwrap_err().to_string();
        assert!(extra.contains("3 tensors"), "{extra}");

        let wrong = ParamSpec::new("weight", Role::Weight, [2, 3]);
        let err = Builder::from_file(Cpu, &file)
            .make("l", &wrong)
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.contains("l.weight") && err.contains("[3, 2]") && err.contains("[2, 3]"),
            "{err}"
        );
        let missing = Builder::from_file(Cpu, &file)
            .make("other", &specs()[1])
            .err()
            .unwrap()
            .to_string();
        assert!(missing.contains("other.bias"), "{missing}");
    }
}
