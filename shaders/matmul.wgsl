// out[m×n] = op(a) · op(b), where op optionally transposes (see playnet-engine's `MatMul`).
//
// Each workgroup computes one TILE_M × TILE_N tile of `out`; each of its
// WG_X × WG_Y threads computes a 4×4 block of outputs, reading four rows of
// op(a) and four columns of op(b) from workgroup memory as one vec4 each,
// and updating its sixteen sums as four vec4 multiply-adds. The k axis is
// walked in slabs of SLAB: the
// slab of op(a) (TILE_M × SLAB) and of op(b) (SLAB × TILE_N) is staged in
// workgroup memory, loaded so that neighbouring threads read neighbouring
// addresses whichever way an operand is stored. Edges (any m, k, n) are
// zero-padded in workgroup memory.
//
// The tile shape is chosen per product through pipeline constants: 64×64 for
// most, 256×16 for the narrow products of convolutions with few filters.
// Products with few tiles and a long k (weight gradients over a batch) are
// split along k: workgroup `split` sums its own range of k into its own
// m×n slice of `out`, and the host sums the slices afterwards.
//
// Workgroups are numbered `y · groups.x + x` (the grid is folded into 2-D on
// the host so that any size fits the 65535 limit); tile-fastest.

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
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(8) var<storage, read_write> out: array<f32>;

override WG_X: u32 = 16u;
override WG_Y: u32 = 16u;
override SLAB: u32 = 16u;

// [kk][i / 4] and [kk][j / 4], four rows (columns) to a vec4. The largest
// slabs any tile shape uses: 16×128 of op(a), 16×64 of op(b): 12 KiB in all.
var<workgroup> a_slab: array<vec4<f32>, 512>;
var<workgroup> b_slab: array<vec4<f32>, 256>;

@compute @workgroup_size(WG_X, WG_Y)
fn matmul(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_id) lid: vec3<u32>,
    @builtin(local_invocation_index) li: u32,
) {
    // Parameters in locals: on CPU emulations every uniform read is a load.
    let m = p.m;
    let k = p.k;
    let n = p.n;
    let ta = (p.flags & 1u) != 0u;
    let tb = (p.flags & 2u) != 0u;
    let tiles = p.tiles;

    let id = wg.y * groups.x + wg.x;
    if (id >= tiles * p.splits) {
        return;
    }
    let tile = id % tiles;
    let split = id / tiles;
    let tile_m = WG_Y * 4u;
    let tile_n = WG_X * 4u;
    let threads = WG_X * WG_Y;
    let row0 = (tile / p.tiles_n) * tile_m;
    let col0 = (tile % p.tiles_n) * tile_n;
    let k_begin = split * p.k_chunk;
    let k_end = min(k, k_begin + p.k_chunk);

    // Row r of the thread's block, as four columns.
    var acc0 = vec4<f32>(0.0);
    var acc1 = vec4<f32>(0.0);
    var acc2 = vec4<f32>(0.0);
    var acc3 = vec4<f32>(0.0);

    for (var k0 = k_begin; k0 < k_end; k0 += SLAB) {
        for (var e = li; e < SLAB * tile_m; e += threads) {
            // op(a) element (row i, depth kk).
            var i: u32;
            var kk: u32;
            if (ta) {
                i = e % tile_m;
                kk = e / tile_m;
            } else {
                kk = e % SLAB;
                i = e / SLAB;
            }
            let gi = row0 + i;
            let gk = k0 + kk;
            var v = 0.0;
            if (gi < m && gk < k_end) {
                if (ta) {
                    v = a[gk * m + gi];
                } else {
                    v = a[gi * k + gk];
                }
            }
            a_slab[(kk * tile_m + i) / 4u][i % 4u] = v;
        }
        for (var e = li; e < SLAB * tile_n; e += threads) {
            // op(b) element (depth kk, column j).
            var j: u32;
            var kk: u32;
            if (tb) {
                kk = e % SLAB;
                j = e / SLAB;
            } else {
                j = e % tile_n;
                kk = e / tile_n;
            }
            let gj = col0 + j;
            let gk = k0 + kk;
            var w = 0.0;
            if (gj < n && gk < k_end) {
                if (tb) {
                    w = b[gj * k + gk];
                } else {
                    w = b[gk * n + gj];
                }
            }
            b_slab[(kk * tile_n + j) / 4u][j % 4u] = w;
        }
        workgroupBarrier();

        let depth = min(SLAB, k_end - k0);
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

    let slice = split * m * n;
    let acc = array<vec4<f32>, 4>(acc0, acc1, acc2, acc3);
    for (var r = 0u; r < 4u; r++) {
        let gi = row0 + lid.y * 4u + r;
        for (var c = 0u; c < 4u; c++) {
            let gj = col0 + lid.x * 4u + c;
            if (gi < m && gj < n) {
                out[slice + gi * n + gj] = acc[r][c];
            }
        }
    }
}
