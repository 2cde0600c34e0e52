// Moves a block of columns between two matrices with the same rows (see
// playnet-engine's `Columns`): a slice along an axis, or its adjoint, the
// slice placed among zeros (which two of make a concatenation). One thread per
// element written; a copy, so the CPU's results bit for bit.

struct Params {
    cols: u32,
    source: u32,
    out_cols: u32,
    at: u32,
    width: u32,
    len: u32,
    _pad0: u32,
    _pad1: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(8) var<storage, read_write> out: array<f32>;

fn flat_index(gid: vec3<u32>, groups: vec3<u32>) -> u32 {
    return gid.y * groups.x * 256u + gid.x;
}

@compute @workgroup_size(256)
fn move_columns(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let i = flat_index(gid, groups);
    if (i >= p.len) {
        return;
    }
    let row = i / p.out_cols;
    let col = i % p.out_cols;
    var v = 0.0;
    if (col >= p.at && col < p.at + p.width) {
        v = x[row * p.cols + p.source + (col - p.at)];
    }
    out[i] = v;
}
