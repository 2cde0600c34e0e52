// out[m×n] = op(a) · op(b), where op optionally transposes (see playnet-engine's `MatMul`).
//
// Each workgroup computes one 64×64 tile of `out`; its 16×16 threads compute
// 4×4 outputs each, strided by 16 so that neighbouring threads touch
// neighbouring columns (coalesced writes, conflict-free workgroup reads).
// The k axis is walked in slabs of 16: the slab of op(a) (64×16) and of op(b)
// (16×64) is staged in workgroup memory (8 KiB), loaded so that neighbouring
// threads read neighbouring addresses whichever way an operand is stored.
// Edges (any m, k, n) are zero-padded in workgroup memory.
//
// Tiles are numbered column-fastest and the dispatch grid is folded into 2-D
// (see `tile_grid` in the Rust code), so any size fits the 65535 limit.

struct Params {
    m: u32,
    k: u32,
    n: u32,
    // bit 0: a is stored k×m; bit 1: b is stored n×k.
    flags: u32,
    tiles_n: u32,
    tiles: u32,
    _pad0: u32,
    _pad1: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(8) var<storage, read_write> out: array<f32>;

const TILE: u32 = 64u;
const SLAB: u32 = 16u;
const THREADS: u32 = 256u;

// [kk][i]: column kk of the slab of op(a), and [kk][j] of op(b).
var<workgroup> a_slab: array<f32, 1024>;
var<workgroup> b_slab: array<f32, 1024>;

@compute @workgroup_size(16, 16)
fn matmul(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_id) lid: vec3<u32>,
    @builtin(local_invocation_index) li: u32,
) {
    let tile = wg.y * groups.x + wg.x;
    if (tile >= p.tiles) {
        return;
    }
    let row0 = (tile / p.tiles_n) * TILE;
    let col0 = (tile % p.tiles_n) * TILE;
    let ta = (p.flags & 1u) != 0u;
    let tb = (p.flags & 2u) != 0u;

    var acc: array<f32, 16>;
    for (var i = 0u; i < 16u; i++) {
        acc[i] = 0.0;
    }

    for (var k0 = 0u; k0 < p.k; k0 += SLAB) {
        for (var r = 0u; r < 4u; r++) {
            let e = li + r * THREADS;
            // op(a) element (row i, depth kk).
            var i: u32;
            var kk: u32;
            if (ta) {
                i = e % TILE;
                kk = e / TILE;
            } else {
                kk = e % SLAB;
                i = e / SLAB;
            }
            let gi = row0 + i;
            let gk = k0 + kk;
            var v = 0.0;
            if (gi < p.m && gk < p.k) {
                if (ta) {
                    v = a[gk * p.m + gi];
                } else {
                    v = a[gi * p.k + gk];
                }
            }
            a_slab[kk * TILE + i] = v;

            // op(b) element (depth kk, column j).
            var j: u32;
            if (tb) {
                kk = e % SLAB;
                j = e / SLAB;
            } else {
                j = e % TILE;
                kk = e / TILE;
            }
            let gj = col0 + j;
            let gk2 = k0 + kk;
            var w = 0.0;
            if (gj < p.n && gk2 < p.k) {
                if (tb) {
                    w = b[gj * p.k + gk2];
                } else {
                    w = b[gk2 * p.n + gj];
                }
            }
            b_slab[kk * TILE + j] = w;
        }
        workgroupBarrier();

        let depth = min(SLAB, p.k - k0);
        for (var kk = 0u; kk < depth; kk++) {
            var av: array<f32, 4>;
            var bv: array<f32, 4>;
            for (var r = 0u; r < 4u; r++) {
                av[r] = a_slab[kk * TILE + lid.y + 16u * r];
                bv[r] = b_slab[kk * TILE + lid.x + 16u * r];
            }
            for (var r = 0u; r < 4u; r++) {
                for (var c = 0u; c < 4u; c++) {
                    acc[r * 4u + c] += av[r] * bv[c];
                }
            }
        }
        workgroupBarrier();
    }

    for (var r = 0u; r < 4u; r++) {
        let gi = row0 + lid.y + 16u * r;
        for (var c = 0u; c < 4u; c++) {
            let gj = col0 + lid.x + 16u * c;
            if (gi < p.m && gj < p.n) {
                out[gi * p.n + gj] = acc[r * 4u + c];
            }
        }
    }
}
