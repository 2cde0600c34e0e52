// One thread per element: fill, scale, the activations and their derivatives,
// ln, rsqrt, exp and clamp, dropout masks. The formulas (`apply`, `backward`) are in
// activation.wgsl, which is prepended to this file when it is compiled.
//
// Launched as a grid of 256-thread workgroups folded into 2-D, so that more
// than 65535·256 elements fit; threads past `len` do nothing.

struct Params {
    len: u32,
    // unary: the op code (see activation.wgsl); dropout: the seed's low bits.
    op: u32,
    // fill: the value; scale: the factor; dropout: the kept value (1/keep);
    // clamp: the lower bound.
    value: f32,
    // dropout: the keep probability; clamp: the upper bound.
    keep: f32,
    // dropout: the seed's high bits.
    seed_hi: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> y: array<f32>;
@group(0) @binding(3) var<storage, read> grad: array<f32>;
@group(0) @binding(8) var<storage, read_write> out: array<f32>;

fn flat_index(gid: vec3<u32>, groups: vec3<u32>) -> u32 {
    return gid.y * groups.x * 256u + gid.x;
}

@compute @workgroup_size(256)
fn fill(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = flat_index(gid, groups);
    if (i < p.len) {
        out[i] = p.value;
    }
}

@compute @workgroup_size(256)
fn scale(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = flat_index(gid, groups);
    if (i < p.len) {
        out[i] = x[i] * p.value;
    }
}

@compute @workgroup_size(256)
fn unary(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = flat_index(gid, groups);
    if (i < p.len) {
        if (p.op == CLAMP) {
            // Comparisons, as on the CPU, so that a NaN stays NaN.
            let v = x[i];
            out[i] = select(select(v, p.keep, v > p.keep), p.value, v < p.value);
        } else {
            out[i] = apply(p.op, x[i]);
        }
    }
}

@compute @workgroup_size(256)
fn unary_backward(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let i = flat_index(gid, groups);
    if (i < p.len) {
        if (p.op == CLAMP) {
            out[i] = select(0.0, grad[i], x[i] >= p.value && x[i] <= p.keep);
        } else {
            out[i] = backward(p.op, x[i], y[i], grad[i]);
        }
    }
}

// Chris Wellons' lowbias32, as `hash32` in backend.rs.
fn hash32(v: u32) -> u32 {
    var h = v;
    h ^= h >> 16u;
    h *= 0x7feb352du;
    h ^= h >> 15u;
    h *= 0x846ca68bu;
    h ^= h >> 16u;
    return h;
}

// `dropout_keeps` in backend.rs, bit for bit: the seed's low word is `p.op`.
@compute @workgroup_size(256)
fn dropout(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = flat_index(gid, groups);
    if (i < p.len) {
        let h = hash32(hash32(i ^ p.op) ^ p.seed_hi);
        let u = f32(h >> 8u) * (1.0 / 16777216.0);
        out[i] = select(0.0, p.value, u < p.keep);
    }
}
