// NumPy-style broadcasting: `binary` computes op(a, b) and `gather` copies
// x into a larger shape (`expand`), one thread per output element.
//
// The Rust side merges axes that can be walked as one (see `layout.rs`), so
// the common cases reach here as rank 1 (same shapes) or rank 2 (a bias along
// rows); at most 8 axes remain. Each output index is split into coordinates
// from the last axis, and each operand is read through its strides (0 along
// the axes it is repeated on).

struct Params {
    len: u32,
    rank: u32,
    // binary: 0 add, 1 sub, 2 mul.
    op: u32,
    _pad: u32,
    dims: array<vec4<u32>, 2>,
    a_strides: array<vec4<u32>, 2>,
    b_strides: array<vec4<u32>, 2>,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(8) var<storage, read_write> out: array<f32>;

fn flat_index(gid: vec3<u32>, groups: vec3<u32>) -> u32 {
    return gid.y * groups.x * 256u + gid.x;
}

@compute @workgroup_size(256)
fn binary(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = flat_index(gid, groups);
    if (i >= p.len) {
        return;
    }
    var rest = i;
    var ia = 0u;
    var ib = 0u;
    for (var axis = p.rank; axis > 0u; axis--) {
        let d = axis - 1u;
        let dim = p.dims[d / 4u][d % 4u];
        let coord = rest % dim;
        rest /= dim;
        ia += coord * p.a_strides[d / 4u][d % 4u];
        ib += coord * p.b_strides[d / 4u][d % 4u];
    }
    let u = a[ia];
    let v = b[ib];
    switch p.op {
        case 0u: { out[i] = u + v; }
        case 1u: { out[i] = u - v; }
        default: { out[i] = u * v; }
    }
}

@compute @workgroup_size(256)
fn gather(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = flat_index(gid, groups);
    if (i >= p.len) {
        return;
    }
    var rest = i;
    var ia = 0u;
    for (var axis = p.rank; axis > 0u; axis--) {
        let d = axis - 1u;
        let dim = p.dims[d / 4u][d % 4u];
        ia += (rest % dim) * p.a_strides[d / 4u][d % 4u];
        rest /= dim;
    }
    out[i] = a[ia];
}
