// out[m×n] = op(a) · op(b), where op optionally transposes (see playnet-engine's `MatMul`).
//
// Each workgroup computes one tile of `out`. The k axis is walked in slabs of
// SLAB: the slab of op(a) (tile rows × SLAB) and of op(b) (SLAB × tile
// columns) is staged in workgroup memory, loaded so that neighbouring threads
// read neighbouring addresses whichever way an operand is stored, with the
// edges (any m, k, n) zero-padded. Each thread then keeps a block of sums in
// registers, reading four rows of op(a) and four columns of op(b) from
// workgroup memory as one vec4 each and updating its sums as vec4
// multiply-adds:
// - `matmul`: 4×4 sums per thread, a tile of (4·WG_Y) × (4·WG_X); the host
//   picks the workgroup's shape per product (64×64 for most, narrower for the
//   few-column products of convolutions with few filters);
// - `matmul_8x8`: 8×8 sums per thread, a 128×128 tile for 16×16 threads, for
//   large products (twice the arithmetic per workgroup-memory read).
// Products with few tiles and a long k (weight gradients over a batch) are
// split along k: workgroup `split` sums its own range of k into its own m×n
// slice of `out`, and the host sums the slices afterwards.
//
// Dense layers, act(op(a) · op(b) + bias), use the `_bias_act` entry points:
// the same sums, with the bias (one per column) added and the activation
// (`apply` of activation.wgsl, which is prepended to this file) applied as
// each sum is stored. They are never split along k.
//
// Workgroups are numbered `y · groups.x + x` (the grid is folded into 2-D on
// the host so that any size fits the 65535 limit), tile-fastest.

struct Params {
    m: u32,
    k: u32,
    n: u32,
    // bit 0: a is stored k×m; bit 1: b is stored n×k.
    flags: u32,
    tiles_n: u32,
    tiles: u32,
    // Depth of each split of k, and the number of splits.
    k_chunk: u32,
    splits: u32,
    // The `_bias_act` entry points: the activation's op code (activation.wgsl).
    act: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
// The `_bias_act` entry points only: n elements.
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(8) var<storage, read_write> out: array<f32>;

override WG_X: u32 = 16u;
override WG_Y: u32 = 16u;
override SLAB: u32 = 16u;

// [kk][i / 4] and [kk][j / 4], four rows (columns) to a vec4. The largest
// slabs any tile shape uses: 16×128 of op(a), 16×64 of op(b): 12 KiB in all.
var<workgroup> a_slab: array<vec4<f32>, 512>;
var<workgroup> b_slab: array<vec4<f32>, 256>;

// Where one workgroup works: parameters in locals, since on CPU emulations
// every uniform read is a memory load.
struct Tile {
    m: u32,
    k: u32,
    n: u32,
    ta: bool,
    tb: bool,
    rows: u32,
    cols: u32,
    row0: u32,
    col0: u32,
    k_begin: u32,
    k_end: u32,
    // Where this split's slice of `out` starts.
    slice: u32,
    act: u32,
}

// The tile of workgroup `id`, for tiles of rows × cols.
fn tile_of(id: u32, rows: u32, cols: u32) -> Tile {
    var t: Tile;
    t.m = p.m;
    t.k = p.k;
    t.n = p.n;
    t.ta = (p.flags & 1u) != 0u;
    t.tb = (p.flags & 2u) != 0u;
    t.rows = rows;
    t.cols = cols;
    let tile = id % p.tiles;
    let split = id / p.tiles;
    t.row0 = (tile / p.tiles_n) * rows;
    t.col0 = (tile % p.tiles_n) * cols;
    t.k_begin = split * p.k_chunk;
    t.k_end = min(t.k, t.k_begin + p.k_chunk);
    t.slice = split * t.m * t.n;
    t.act = p.act;
    return t;
}

// Stages the slabs of op(a) and op(b) at depth k0 (the caller synchronises).
fn load_slabs(t: Tile, k0: u32, li: u32) {
    let threads = WG_X * WG_Y;
    for (var e = li; e < SLAB * t.rows; e += threads) {
        // op(a) element (row i, depth kk).
        var i: u32;
        var kk: u32;
        if (t.ta) {
            i = e % t.rows;
            kk = e / t.rows;
        } else {
            kk = e % SLAB;
            i = e / SLAB;
        }
        let gi = t.row0 + i;
        let gk = k0 + kk;
        var v = 0.0;
        if (gi < t.m && gk < t.k_end) {
            if (t.ta) {
                v = a[gk * t.m + gi];
            } else {
                v = a[gi * t.k + gk];
            }
        }
        a_slab[(kk * t.rows + i) / 4u][i % 4u] = v;
    }
    for (var e = li; e < SLAB * t.cols; e += threads) {
        // op(b) element (depth kk, column j).
        var j: u32;
        var kk: u32;
        if (t.tb) {
            kk = e % SLAB;
            j = e / SLAB;
        } else {
            j = e % t.cols;
            kk = e / t.cols;
        }
        let gj = t.col0 + j;
        let gk = k0 + kk;
        var w = 0.0;
        if (gj < t.n && gk < t.k_end) {
            if (t.tb) {
                w = b[gj * t.k + gk];
            } else {
                w = b[gk * t.n + gj];
            }
        }
        b_slab[(kk * t.cols + j) / 4u][j % 4u] = w;
    }
}

// Writes four sums of row `i` starting at column `j` (those inside out).
fn store(t: Tile, i: u32, j: u32, v: vec4<f32>) {
    if (i >= t.m) {
        return;
    }
    for (var c = 0u; c < 4u; c++) {
        if (j + c < t.n) {
            out[t.slice + i * t.n + j + c] = v[c];
        }
    }
}

// `store` for dense layers: act(sum + bias of its column). Never split.
fn store_bias_act(t: Tile, i: u32, j: u32, v: vec4<f32>) {
    if (i >= t.m) {
        return;
    }
    for (var c = 0u; c < 4u; c++) {
        let col = j + c;
        if (col < t.n) {
            out[i * t.n + col] = apply(t.act, v[c] + bias[col]);
        }
    }
}

// A thread's 4×4 sums: row r of its block as four columns.
struct Sums4x4 {
    r0: vec4<f32>,
    r1: vec4<f32>,
    r2: vec4<f32>,
    r3: vec4<f32>,
}

// The 4×4 sums of the thread at `lid` (`li`) in tile `t`.
fn sums_4x4(t: Tile, lid: vec3<u32>, li: u32) -> Sums4x4 {
    var acc0 = vec4<f32>(0.0);
    var acc1 = vec4<f32>(0.0);
    var acc2 = vec4<f32>(0.0);
    var acc3 = vec4<f32>(0.0);
    for (var k0 = t.k_begin; k0 < t.k_end; k0 += SLAB) {
        load_slabs(t, k0, li);
        workgroupBarrier();
        let depth = min(SLAB, t.k_end - k0);
        for (var kk = 0u; kk < depth; kk++) {
            let av = a_slab[kk * WG_Y + lid.y];
            let bv = b_slab[kk * WG_X + lid.x];
            acc0 += av.x * bv;
            acc1 += av.y * bv;
            acc2 += av.z * bv;
            acc3 += av.w * bv;
        }
        workgroupBarrier();
    }
    return Sums4x4(acc0, acc1, acc2, acc3);
}

@compute @workgroup_size(WG_X, WG_Y)
fn matmul(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_id) lid: vec3<u32>,
    @builtin(local_invocation_index) li: u32,
) {
    let id = wg.y * groups.x + wg.x;
    if (id >= p.tiles * p.splits) {
        return;
    }
    let t = tile_of(id, WG_Y * 4u, WG_X * 4u);
    let s = sums_4x4(t, lid, li);
    let i = t.row0 + lid.y * 4u;
    let j = t.col0 + lid.x * 4u;
    store(t, i, j, s.r0);
    store(t, i + 1u, j, s.r1);
    store(t, i + 2u, j, s.r2);
    store(t, i + 3u, j, s.r3);
}

// `matmul` with the bias and activation of a dense layer.
@compute @workgroup_size(WG_X, WG_Y)
fn matmul_bias_act(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_id) lid: vec3<u32>,
    @builtin(local_invocation_index) li: u32,
) {
    let id = wg.y * groups.x + wg.x;
    if (id >= p.tiles) {
        return;
    }
    let t = tile_of(id, WG_Y * 4u, WG_X * 4u);
    let s = sums_4x4(t, lid, li);
    let i = t.row0 + lid.y * 4u;
    let j = t.col0 + lid.x * 4u;
    store_bias_act(t, i, j, s.r0);
    store_bias_act(t, i + 1u, j, s.r1);
    store_bias_act(t, i + 2u, j, s.r2);
    store_bias_act(t, i + 3u, j, s.r3);
}

// 8×8 sums per thread: rows 4·ly…4·ly+3 and 64+4·ly…, columns 4·lx…4·lx+3
// and 64+4·lx… of a 128×128 tile, so that neighbouring threads read
// neighbouring vec4s. Needs WG_X = WG_Y = 16 and SLAB · 128 ≤ 2048 floats
// of op(a), ≤ 1024 of op(b).
struct Sums8x8 {
    c00: vec4<f32>,
    c01: vec4<f32>,
    c10: vec4<f32>,
    c11: vec4<f32>,
    c20: vec4<f32>,
    c21: vec4<f32>,
    c30: vec4<f32>,
    c31: vec4<f32>,
    d00: vec4<f32>,
    d01: vec4<f32>,
    d10: vec4<f32>,
    d11: vec4<f32>,
    d20: vec4<f32>,
    d21: vec4<f32>,
    d30: vec4<f32>,
    d31: vec4<f32>,
}

// The 8×8 sums of the thread at `lid` (`li`) in the 128×128 tile `t`.
fn sums_8x8(t: Tile, lid: vec3<u32>, li: u32) -> Sums8x8 {
    let half_m = WG_Y;
    let half_n = WG_X;

    // c<row><half>: row `row` of the first (0) or second (1) half of the
    // thread's rows, and the first or second half of its columns.
    var c00 = vec4<f32>(0.0);
    var c01 = vec4<f32>(0.0);
    var c10 = vec4<f32>(0.0);
    var c11 = vec4<f32>(0.0);
    var c20 = vec4<f32>(0.0);
    var c21 = vec4<f32>(0.0);
    var c30 = vec4<f32>(0.0);
    var c31 = vec4<f32>(0.0);
    var d00 = vec4<f32>(0.0);
    var d01 = vec4<f32>(0.0);
    var d10 = vec4<f32>(0.0);
    var d11 = vec4<f32>(0.0);
    var d20 = vec4<f32>(0.0);
    var d21 = vec4<f32>(0.0);
    var d30 = vec4<f32>(0.0);
    var d31 = vec4<f32>(0.0);
    for (var k0 = t.k_begin; k0 < t.k_end; k0 += SLAB) {
        load_slabs(t, k0, li);
        workgroupBarrier();
        let depth = min(SLAB, t.k_end - k0);
        for (var kk = 0u; kk < depth; kk++) {
            let a0 = a_slab[kk * 2u * half_m + lid.y];
            let a1 = a_slab[kk * 2u * half_m + half_m + lid.y];
            let b0 = b_slab[kk * 2u * half_n + lid.x];
            let b1 = b_slab[kk * 2u * half_n + half_n + lid.x];
            c00 += a0.x * b0;
            c01 += a0.x * b1;
            c10 += a0.y * b0;
            c11 += a0.y * b1;
            c20 += a0.z * b0;
            c21 += a0.z * b1;
            c30 += a0.w * b0;
            c31 += a0.w * b1;
            d00 += a1.x * b0;
            d01 += a1.x * b1;
            d10 += a1.y * b0;
            d11 += a1.y * b1;
            d20 += a1.z * b0;
            d21 += a1.z * b1;
            d30 += a1.w * b0;
            d31 += a1.w * b1;
        }
        workgroupBarrier();
    }
    return Sums8x8(c00, c01, c10, c11, c20, c21, c30, c31, d00, d01, d10, d11, d20, d21, d30, d31);
}

@compute @workgroup_size(WG_X, WG_Y)
fn matmul_8x8(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_id) lid: vec3<u32>,
    @builtin(local_invocation_index) li: u32,
) {
    let id = wg.y * groups.x + wg.x;
    if (id >= p.tiles * p.splits) {
        return;
    }
    let t = tile_of(id, WG_Y * 8u, WG_X * 8u);
    let s = sums_8x8(t, lid, li);
    let i = t.row0 + lid.y * 4u;
    let i2 = i + 4u * WG_Y;
    let j = t.col0 + lid.x * 4u;
    let j2 = j + 4u * WG_X;
    store(t, i, j, s.c00);
    store(t, i, j2, s.c01);
    store(t, i + 1u, j, s.c10);
    store(t, i + 1u, j2, s.c11);
    store(t, i + 2u, j, s.c20);
    store(t, i + 2u, j2, s.c21);
    store(t, i + 3u, j, s.c30);
    store(t, i + 3u, j2, s.c31);
    store(t, i2, j, s.d00);
    store(t, i2, j2, s.d01);
    store(t, i2 + 1u, j, s.d10);
    store(t, i2 + 1u, j2, s.d11);
    store(t, i2 + 2u, j, s.d20);
    store(t, i2 + 2u, j2, s.d21);
    store(t, i2 + 3u, j, s.d30);
    store(t, i2 + 3u, j2, s.d31);
}

// `matmul_8x8` with the bias and activation of a dense layer.
@compute @workgroup_size(WG_X, WG_Y)
fn matmul_8x8_bias_act(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_id) lid: vec3<u32>,
    @builtin(local_invocation_index) li: u32,
) {
    let id = wg.y * groups.x + wg.x;
    if (id >= p.tiles) {
        return;
    }
    let t = tile_of(id, WG_Y * 8u, WG_X * 8u);
    let s = sums_8x8(t, lid, li);
    let i = t.row0 + lid.y * 4u;
    let i2 = i + 4u * WG_Y;
    let j = t.col0 + lid.x * 4u;
    let j2 = j + 4u * WG_X;
    store_bias_act(t, i, j, s.c00);
    store_bias_act(t, i, j2, s.c01);
    store_bias_act(t, i + 1u, j, s.c10);
    store_bias_act(t, i + 1u, j2, s.c11);
    store_bias_act(t, i + 2u, j, s.c20);
    store_bias_act(t, i + 2u, j2, s.c21);
    store_bias_act(t, i + 3u, j, s.c30);
    store_bias_act(t, i + 3u, j2, s.c31);
    store_bias_act(t, i2, j, s.d00);
    store_bias_act(t, i2, j2, s.d01);
    store_bias_act(t, i2 + 1u, j, s.d10);
    store_bias_act(t, i2 + 1u, j2, s.d11);
    store_bias_act(t, i2 + 2u, j, s.d20);
    store_bias_act(t, i2 + 2u, j2, s.d21);
    store_bias_act(t, i2 + 3u, j, s.d30);
    store_bias_act(t, i2 + 3u, j2, s.d31);
}
