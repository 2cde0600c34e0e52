// Softmax (or log-softmax) of each row, and its gradient, with the formulas
// of playnet-engine's `cpu.rs`: one 64-thread workgroup per row, each thread
// taking every 64th column, then a tree in workgroup memory for the row's
// maximum and sums.

struct Params {
    rows: u32,
    cols: u32,
    log: u32,
    _pad: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
// softmax: the input; softmax_backward: the output y.
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> grad: array<f32>;
@group(0) @binding(8) var<storage, read_write> out: array<f32>;

const THREADS: u32 = 64u;
// The lowest finite f32 (WGSL has no infinity literal).
const LOWEST: f32 = -0x1.fffffep+127f;

var<workgroup> scratch: array<f32, 64>;

fn reduce_max(li: u32, v: f32) -> f32 {
    scratch[li] = v;
    workgroupBarrier();
    for (var width = THREADS / 2u; width > 0u; width >>= 1u) {
        if (li < width) {
            scratch[li] = max(scratch[li], scratch[li + width]);
        }
        workgroupBarrier();
    }
    let total = scratch[0];
    workgroupBarrier();
    return total;
}

fn reduce_sum(li: u32, v: f32) -> f32 {
    scratch[li] = v;
    workgroupBarrier();
    for (var width = THREADS / 2u; width > 0u; width >>= 1u) {
        if (li < width) {
            scratch[li] += scratch[li + width];
        }
        workgroupBarrier();
    }
    let total = scratch[0];
    workgroupBarrier();
    return total;
}

@compute @workgroup_size(64)
fn softmax(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) li: u32,
) {
    let row = wg.y * groups.x + wg.x;
    if (row >= p.rows) {
        return;
    }
    let start = row * p.cols;
    var m = LOWEST;
    for (var c = li; c < p.cols; c += THREADS) {
        m = max(m, x[start + c]);
    }
    let top = reduce_max(li, m);
    var s = 0.0;
    for (var c = li; c < p.cols; c += THREADS) {
        s += exp(x[start + c] - top);
    }
    let sum = reduce_sum(li, s);
    let log_sum = log(sum);
    for (var c = li; c < p.cols; c += THREADS) {
        let v = x[start + c];
        if (p.log != 0u) {
            out[start + c] = v - top - log_sum;
        } else {
            out[start + c] = exp(v - top) / sum;
        }
    }
}

@compute @workgroup_size(64)
fn softmax_backward(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) li: u32,
) {
    let row = wg.y * groups.x + wg.x;
    if (row >= p.rows) {
        return;
    }
    let start = row * p.cols;
    let log_form = p.log != 0u;
    // log: Σg; plain: Σ g·y.
    var s = 0.0;
    for (var c = li; c < p.cols; c += THREADS) {
        let g = grad[start + c];
        s += select(g * x[start + c], g, log_form);
    }
    let total = reduce_sum(li, s);
    for (var c = li; c < p.cols; c += THREADS) {
        let y = x[start + c];
        let g = grad[start + c];
        if (log_form) {
            out[start + c] = g - exp(y) * total;
        } else {
            out[start + c] = y * (g - total);
        }
    }
}
