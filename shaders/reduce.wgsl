// `sum_to`: sums x over the axes along which the target was broadcast.
//
// The Rust side merges x's axes into "kept" axes (those of the target, in
// order) and "reduced" axes, at most 8 of each. Output t sums x at
// kept_at(t) + reduced_at(r) for r = 0..reduced. Two strategies:
// - `sum_per_thread`: one thread per output, for short sums (coalesced when
//   the target is a row repeated along many rows);
// - `sum_per_group`: one 256-thread workgroup per output, each thread summing
//   a strided share, then a tree in workgroup memory, for long sums (a loss
//   mean, a bias gradient over a large batch).
// Sums are taken in a different order than the CPU's, so results agree
// within float tolerance, not bit for bit.

struct Params {
    outputs: u32,
    reduced: u32,
    kept_rank: u32,
    reduced_rank: u32,
    kept_dims: array<vec4<u32>, 2>,
    kept_strides: array<vec4<u32>, 2>,
    reduced_dims: array<vec4<u32>, 2>,
    reduced_strides: array<vec4<u32>, 2>,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(8) var<storage, read_write> out: array<f32>;

var<workgroup> sums: array<f32, 256>;

fn kept_at(t: u32) -> u32 {
    var rest = t;
    var at = 0u;
    for (var axis = p.kept_rank; axis > 0u; axis--) {
        let d = axis - 1u;
        let dim = p.kept_dims[d / 4u][d % 4u];
        at += (rest % dim) * p.kept_strides[d / 4u][d % 4u];
        rest /= dim;
    }
    return at;
}

fn reduced_at(r: u32) -> u32 {
    var rest = r;
    var at = 0u;
    for (var axis = p.reduced_rank; axis > 0u; axis--) {
        let d = axis - 1u;
        let dim = p.reduced_dims[d / 4u][d % 4u];
        at += (rest % dim) * p.reduced_strides[d / 4u][d % 4u];
        rest /= dim;
    }
    return at;
}

@compute @workgroup_size(256)
fn sum_per_thread(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let t = gid.y * groups.x * 256u + gid.x;
    if (t >= p.outputs) {
        return;
    }
    let start = kept_at(t);
    var total = 0.0;
    for (var r = 0u; r < p.reduced; r++) {
        total += x[start + reduced_at(r)];
    }
    out[t] = total;
}

@compute @workgroup_size(256)
fn sum_per_group(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) li: u32,
) {
    let t = wg.y * groups.x + wg.x;
    if (t >= p.outputs) {
        return;
    }
    let start = kept_at(t);
    var total = 0.0;
    for (var r = li; r < p.reduced; r += 256u) {
        total += x[start + reduced_at(r)];
    }
    sums[li] = total;
    workgroupBarrier();
    for (var width = 128u; width > 0u; width >>= 1u) {
        if (li < width) {
            sums[li] += sums[li + width];
        }
        workgroupBarrier();
    }
    if (li == 0u) {
        out[t] = sums[0];
    }
}
