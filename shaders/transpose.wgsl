// Transposes a rows×cols matrix through 16×16 tiles in workgroup memory, so
// that both the reads and the writes of neighbouring threads are neighbours.
// The tile row is padded to 17 to keep the transposed reads off one bank.

struct Params {
    rows: u32,
    cols: u32,
    tiles_cols: u32,
    tiles: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(8) var<storage, read_write> out: array<f32>;

var<workgroup> tile: array<f32, 272>;

@compute @workgroup_size(16, 16)
fn transpose(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_id) lid: vec3<u32>,
) {
    let t = wg.y * groups.x + wg.x;
    if (t >= p.tiles) {
        return;
    }
    let r0 = (t / p.tiles_cols) * 16u;
    let c0 = (t % p.tiles_cols) * 16u;
    let r = r0 + lid.y;
    let c = c0 + lid.x;
    if (r < p.rows && c < p.cols) {
        tile[lid.y * 17u + lid.x] = x[r * p.cols + c];
    }
    workgroupBarrier();
    let out_r = c0 + lid.y;
    let out_c = r0 + lid.x;
    if (out_r < p.cols && out_c < p.rows) {
        out[out_r * p.rows + out_c] = tile[lid.x * 17u + lid.y];
    }
}
