// Sliding windows over NHWC image batches (see playnet-engine's `window.rs`):
// im2col, its adjoint col2im, max-pooling and its gradient, and depthwise
// convolution and its two gradients.
//
// Everything is a gather, one thread per element written, so no atomics are
// needed: col2im and the pooling gradient visit, for each input pixel, the
// window positions that cover it. They visit them in the CPU's order (output
// row, then output column, ascending) and add from 0, so their sums are the
// CPU's bit for bit; so are im2col (a copy) and max_pool (a maximum).

struct Params {
    batch: u32,
    height: u32,
    width: u32,
    channels: u32,
    kernel_h: u32,
    kernel_w: u32,
    stride: u32,
    pad_top: u32,
    pad_left: u32,
    out_h: u32,
    out_w: u32,
    // Threads that do work: elements written.
    len: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
// im2col, max_pool, depthwise_conv and its filter gradient: the images;
// col2im: the columns; max_pool_backward: x; depthwise_backward_input: the
// output's gradient.
@group(0) @binding(1) var<storage, read> src: array<f32>;
// max_pool_backward: the pooled maxima y; depthwise_conv and its input
// gradient: the filter; depthwise_backward_filter: the output's gradient.
@group(0) @binding(2) var<storage, read> pooled: array<f32>;
// max_pool_backward: the gradient of y.
@group(0) @binding(3) var<storage, read> grad: array<f32>;
@group(0) @binding(8) var<storage, read_write> out: array<f32>;

// The lowest finite f32 (WGSL has no infinity literal).
const LOWEST: f32 = -0x1.fffffep+127f;

fn flat_index(gid: vec3<u32>, groups: vec3<u32>) -> u32 {
    return gid.y * groups.x * 256u + gid.x;
}

// The input coordinate under tap k of output o, or -1 in the padding.
fn source_y(o: u32, k: u32) -> i32 {
    let v = i32(o * p.stride + k) - i32(p.pad_top);
    return select(-1, v, v >= 0 && v < i32(p.height));
}

fn source_x(o: u32, k: u32) -> i32 {
    let v = i32(o * p.stride + k) - i32(p.pad_left);
    return select(-1, v, v >= 0 && v < i32(p.width));
}

// The output coordinate whose tap k reads input coordinate `at` (padded by
// `pad`), or -1 when there is none.
fn covering(at: u32, pad: u32, k: u32, outputs: u32) -> i32 {
    let t = i32(at + pad) - i32(k);
    if (t < 0 || (u32(t) % p.stride) != 0u) {
        return -1;
    }
    let o = u32(t) / p.stride;
    return select(-1, i32(o), o < outputs);
}

// One thread per element of the positions × patch_len matrix.
@compute @workgroup_size(256)
fn im2col(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = flat_index(gid, groups);
    if (i >= p.len) {
        return;
    }
    let c = p.channels;
    let patch_len = p.kernel_h * p.kernel_w * c;
    let pos = i / patch_len;
    let e = i % patch_len;
    let ch = e % c;
    let tap = e / c;
    let kx = tap % p.kernel_w;
    let ky = tap / p.kernel_w;
    let ox = pos % p.out_w;
    let oy = (pos / p.out_w) % p.out_h;
    let n = pos / (p.out_w * p.out_h);
    let y = source_y(oy, ky);
    let x = source_x(ox, kx);
    var v = 0.0;
    if (y >= 0 && x >= 0) {
        v = src[((n * p.height + u32(y)) * p.width + u32(x)) * c + ch];
    }
    out[i] = v;
}

// One thread per input element: the sum of the column entries read from it.
@compute @workgroup_size(256)
fn col2im(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = flat_index(gid, groups);
    if (i >= p.len) {
        return;
    }
    let c = p.channels;
    let ch = i % c;
    let x = (i / c) % p.width;
    let y = (i / (c * p.width)) % p.height;
    let n = i / (c * p.width * p.height);
    let patch_len = p.kernel_h * p.kernel_w * c;
    var total = 0.0;
    // Descending taps visit ascending output positions.
    for (var ky = p.kernel_h; ky > 0u; ky--) {
        let oy = covering(y, p.pad_top, ky - 1u, p.out_h);
        if (oy < 0) {
            continue;
        }
        for (var kx = p.kernel_w; kx > 0u; kx--) {
            let ox = covering(x, p.pad_left, kx - 1u, p.out_w);
            if (ox < 0) {
                continue;
            }
            let row = (n * p.out_h + u32(oy)) * p.out_w + u32(ox);
            total += src[row * patch_len + ((ky - 1u) * p.kernel_w + (kx - 1u)) * c + ch];
        }
    }
    out[i] = total;
}

// One thread per output element: the window's maximum; padding never wins.
@compute @workgroup_size(256)
fn max_pool(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = flat_index(gid, groups);
    if (i >= p.len) {
        return;
    }
    let c = p.channels;
    let ch = i % c;
    let ox = (i / c) % p.out_w;
    let oy = (i / (c * p.out_w)) % p.out_h;
    let n = i / (c * p.out_w * p.out_h);
    var m = LOWEST;
    for (var ky = 0u; ky < p.kernel_h; ky++) {
        let y = source_y(oy, ky);
        if (y < 0) {
            continue;
        }
        for (var kx = 0u; kx < p.kernel_w; kx++) {
            let x = source_x(ox, kx);
            if (x < 0) {
                continue;
            }
            m = max(m, src[((n * p.height + u32(y)) * p.width + u32(x)) * c + ch]);
        }
    }
    out[i] = m;
}

// The flat input index of the first tap of window (n, oy, ox) holding `top`.
fn first_max(n: u32, oy: u32, ox: u32, ch: u32, top: f32) -> i32 {
    for (var ky = 0u; ky < p.kernel_h; ky++) {
        let y = source_y(oy, ky);
        if (y < 0) {
            continue;
        }
        for (var kx = 0u; kx < p.kernel_w; kx++) {
            let x = source_x(ox, kx);
            if (x < 0) {
                continue;
            }
            let at = ((n * p.height + u32(y)) * p.width + u32(x)) * p.channels + ch;
            if (src[at] == top) {
                return i32(at);
            }
        }
    }
    return -1;
}

// One thread per input element: the gradients of the windows whose first
// maximum it is.
@compute @workgroup_size(256)
fn max_pool_backward(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let i = flat_index(gid, groups);
    if (i >= p.len) {
        return;
    }
    let c = p.channels;
    let ch = i % c;
    let x = (i / c) % p.width;
    let y = (i / (c * p.width)) % p.height;
    let n = i / (c * p.width * p.height);
    var total = 0.0;
    for (var ky = p.kernel_h; ky > 0u; ky--) {
        let oy = covering(y, p.pad_top, ky - 1u, p.out_h);
        if (oy < 0) {
            continue;
        }
        for (var kx = p.kernel_w; kx > 0u; kx--) {
            let ox = covering(x, p.pad_left, kx - 1u, p.out_w);
            if (ox < 0) {
                continue;
            }
            let cell = ((n * p.out_h + u32(oy)) * p.out_w + u32(ox)) * c + ch;
            if (first_max(n, u32(oy), u32(ox), ch, pooled[cell]) == i32(i)) {
                total += grad[cell];
            }
        }
    }
    out[i] = total;
}

// One thread per output element: its channel's taps in row-major order.
@compute @workgroup_size(256)
fn depthwise_conv(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let i = flat_index(gid, groups);
    if (i >= p.len) {
        return;
    }
    let c = p.channels;
    let ch = i % c;
    let ox = (i / c) % p.out_w;
    let oy = (i / (c * p.out_w)) % p.out_h;
    let n = i / (c * p.out_w * p.out_h);
    var total = 0.0;
    for (var ky = 0u; ky < p.kernel_h; ky++) {
        let y = source_y(oy, ky);
        if (y < 0) {
            continue;
        }
        for (var kx = 0u; kx < p.kernel_w; kx++) {
            let x = source_x(ox, kx);
            if (x < 0) {
                continue;
            }
            let v = src[((n * p.height + u32(y)) * p.width + u32(x)) * c + ch];
            total += v * pooled[(ky * p.kernel_w + kx) * c + ch];
        }
    }
    out[i] = total;
}

// One thread per input element: the output gradients of the taps that read
// it, times the filter, output positions ascending (as the CPU).
@compute @workgroup_size(256)
fn depthwise_backward_input(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let i = flat_index(gid, groups);
    if (i >= p.len) {
        return;
    }
    let c = p.channels;
    let ch = i % c;
    let x = (i / c) % p.width;
    let y = (i / (c * p.width)) % p.height;
    let n = i / (c * p.width * p.height);
    var total = 0.0;
    for (var ky = p.kernel_h; ky > 0u; ky--) {
        let oy = covering(y, p.pad_top, ky - 1u, p.out_h);
        if (oy < 0) {
            continue;
        }
        for (var kx = p.kernel_w; kx > 0u; kx--) {
            let ox = covering(x, p.pad_left, kx - 1u, p.out_w);
            if (ox < 0) {
                continue;
            }
            let cell = ((n * p.out_h + u32(oy)) * p.out_w + u32(ox)) * c + ch;
            total += src[cell] * pooled[((ky - 1u) * p.kernel_w + (kx - 1u)) * c + ch];
        }
    }
    out[i] = total;
}

// One thread per filter tap and channel: output gradient times input over
// the batch and every output position, in order (as the CPU).
@compute @workgroup_size(256)
fn depthwise_backward_filter(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let i = flat_index(gid, groups);
    if (i >= p.len) {
        return;
    }
    let c = p.channels;
    let ch = i % c;
    let kx = (i / c) % p.kernel_w;
    let ky = i / (c * p.kernel_w);
    var total = 0.0;
    for (var n = 0u; n < p.batch; n++) {
        for (var oy = 0u; oy < p.out_h; oy++) {
            let y = source_y(oy, ky);
            if (y < 0) {
                continue;
            }
            for (var ox = 0u; ox < p.out_w; ox++) {
                let x = source_x(ox, kx);
                if (x < 0) {
                    continue;
                }
                let v = src[((n * p.height + u32(y)) * p.width + u32(x)) * c + ch];
                total += pooled[((n * p.out_h + oy) * p.out_w + ox) * c + ch] * v;
            }
        }
    }
    out[i] = total;
}
