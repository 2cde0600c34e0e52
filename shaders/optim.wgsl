// One optimiser step per parameter element, in place: playnet-engine's
// `update_element_corrected` (optim.rs). Adam's bias corrections are the same
// for every element, so the host computes them once and passes them here.

struct Params {
    len: u32,
    // 0: none; 1: L1; 2: L2.
    penalty: u32,
    learning_rate: f32,
    penalty_rate: f32,
    // momentum: μ; Adam: β₁.
    beta1: f32,
    beta2: f32,
    epsilon: f32,
    correction1: f32,
    correction2: f32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(8) var<storage, read_write> param: array<f32>;
// momentum: the velocity; Adam: the first moment.
@group(0) @binding(9) var<storage, read_write> state0: array<f32>;
// Adam: the second moment.
@group(0) @binding(10) var<storage, read_write> state1: array<f32>;

fn flat_index(gid: vec3<u32>, groups: vec3<u32>) -> u32 {
    return gid.y * groups.x * 256u + gid.x;
}

// TensorFlow Playground's penalty: its derivative at the weight before the
// step, applied after it; under L1 a weight whose sign that flips becomes 0.
fn penalize(before: f32, stepped: f32) -> f32 {
    if (p.penalty == 0u) {
        return stepped;
    }
    let derivative = select(before, sign(before), p.penalty == 1u);
    let after = stepped - p.learning_rate * p.penalty_rate * derivative;
    if (p.penalty == 1u && stepped * after < 0.0) {
        return 0.0;
    }
    return after;
}

@compute @workgroup_size(256)
fn sgd(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = flat_index(gid, groups);
    if (i >= p.len) {
        return;
    }
    let before = param[i];
    param[i] = penalize(before, before - p.learning_rate * grad[i]);
}

@compute @workgroup_size(256)
fn momentum(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = flat_index(gid, groups);
    if (i >= p.len) {
        return;
    }
    let before = param[i];
    let v = p.beta1 * state0[i] + grad[i];
    state0[i] = v;
    param[i] = penalize(before, before - p.learning_rate * v);
}

@compute @workgroup_size(256)
fn adam(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = flat_index(gid, groups);
    if (i >= p.len) {
        return;
    }
    let before = param[i];
    let g = grad[i];
    let m = p.beta1 * state0[i] + (1.0 - p.beta1) * g;
    let v = p.beta2 * state1[i] + (1.0 - p.beta2) * g * g;
    state0[i] = m;
    state1[i] = v;
    let m_hat = m / p.correction1;
    let v_hat = v / p.correction2;
    param[i] = penalize(before, before - p.learning_rate * m_hat / (sqrt(v_hat) + p.epsilon));
}
