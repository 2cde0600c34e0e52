// The activations, ln and rsqrt and their derivatives: `apply(op, v)` and
// `backward(op, x, y, grad)`, with the op codes below. Not a shader of its
// own: prepended to elementwise.wgsl (the unary kernels) and matmul.wgsl (the
// fused bias + activation of dense layers) when they are compiled, so both
// apply the same formulas. Those are playnet-engine's `activation.rs` and
// `cpu.rs`, written the same way so that results agree within float
// tolerance (WGSL's exp/log/tanh/sin are not correctly rounded).
//
// Names declared here are taken in the files it is prepended to.

// Shared with the engine through pipeline constants, so they cannot drift.
override LN_FLOOR: f32;
override RSQRT_FLOOR: f32;
override LEAKY_RELU_SLOPE: f32;
override RELU6_CEILING: f32;
override EXP_CEILING: f32;

// From activation.rs.
const SQRT_2_OVER_PI: f32 = 0.7978846;
const GELU_CUBIC: f32 = 0.044715;

// Op codes: the engine's `Activation` in declaration order up to sine, then
// ln and rsqrt, then what came later (`unary_code` in backend.rs).
const LINEAR: u32 = 0u;
const RELU: u32 = 1u;
const LEAKY_RELU: u32 = 2u;
const TANH: u32 = 3u;
const SIGMOID: u32 = 4u;
const ELU: u32 = 5u;
const GELU: u32 = 6u;
const SWISH: u32 = 7u;
const SINE: u32 = 8u;
const LN: u32 = 9u;
const RSQRT: u32 = 10u;
const RELU6: u32 = 11u;
const EXP: u32 = 12u;
// Needs its bounds, which only the elementwise kernels have (elementwise.wgsl).
const CLAMP: u32 = 13u;

// tanh saturates to ±1 in f32 beyond |x| = 9.01; clamping keeps
// implementations that compute it from exponentials away from inf/inf.
fn tanh_f(v: f32) -> f32 {
    return tanh(clamp(v, -15.0, 15.0));
}

// The logistic function, written so that it never overflows.
fn sigmoid(v: f32) -> f32 {
    if (v >= 0.0) {
        return 1.0 / (1.0 + exp(-v));
    }
    let e = exp(v);
    return e / (1.0 + e);
}

// WGSL only promises sines to 2⁻¹¹ (and SwiftShader's are about that
// coarse), so sine and cosine are computed here, as Cephes' sinf does: the
// angle less the nearest multiple q of π/2 (π/2 in three parts, the first
// with few enough bits that q times it is exact), then a minimax polynomial
// on [−π/4, π/4], about 1e-7 from the true value for |v| up to thousands.
const PI_2_A: f32 = 1.5703125;
const PI_2_B: f32 = 4.837512969970703125e-4;
const PI_2_C: f32 = 7.54978995489188216e-8;
const TWO_OVER_PI: f32 = 0.636619772;

fn sin_poly(r: f32) -> f32 {
    let z = r * r;
    return r + r * z * (-1.6666654611e-1 + z * (8.3321608736e-3 + z * -1.9515295891e-4));
}

fn cos_poly(r: f32) -> f32 {
    let z = r * r;
    return 1.0 - 0.5 * z + z * z * (4.166664568298827e-2 + z * (-1.388731625493765e-3 + z * 2.443315711809948e-5));
}

// sin(v + quarter·π/2).
fn sine_quadrant(v: f32, quarter: u32) -> f32 {
    let q = round(v * TWO_OVER_PI);
    let r = ((v - q * PI_2_A) - q * PI_2_B) - q * PI_2_C;
    let quadrant = (u32(i32(q) & 3) + quarter) & 3u;
    switch quadrant {
        case 0u: { return sin_poly(r); }
        case 1u: { return cos_poly(r); }
        case 2u: { return -sin_poly(r); }
        default: { return -cos_poly(r); }
    }
}

fn apply(op: u32, v: f32) -> f32 {
    switch op {
        case LINEAR: { return v; }
        case RELU: { return max(v, 0.0); }
        case LEAKY_RELU: { return select(LEAKY_RELU_SLOPE * v, v, v > 0.0); }
        case TANH: { return tanh_f(v); }
        case SIGMOID: { return sigmoid(v); }
        case ELU: { return select(exp(v) - 1.0, v, v > 0.0); }
        case GELU: {
            let inner = SQRT_2_OVER_PI * (v + GELU_CUBIC * v * v * v);
            return 0.5 * v * (1.0 + tanh_f(inner));
        }
        case SWISH: { return v * sigmoid(v); }
        case SINE: { return sine_quadrant(v, 0u); }
        case LN: { return log(max(v, LN_FLOOR)); }
        case RELU6: { return clamp(v, 0.0, RELU6_CEILING); }
        case EXP: { return exp(min(v, EXP_CEILING)); }
        case RSQRT, default: { return 1.0 / sqrt(max(v, RSQRT_FLOOR)); }
    }
}

// grad · op'(x), given x and y = op(x).
fn backward(op: u32, xv: f32, yv: f32, g: f32) -> f32 {
    switch op {
        case LINEAR: { return g; }
        case RELU: { return select(0.0, g, xv > 0.0); }
        case LEAKY_RELU: { return g * select(LEAKY_RELU_SLOPE, 1.0, xv > 0.0); }
        case TANH: { return g * (1.0 - yv * yv); }
        case SIGMOID: { return g * (yv * (1.0 - yv)); }
        case ELU: { return g * select(yv + 1.0, 1.0, xv > 0.0); }
        case GELU: {
            let inner = SQRT_2_OVER_PI * (xv + GELU_CUBIC * xv * xv * xv);
            let t = tanh_f(inner);
            let d_inner = SQRT_2_OVER_PI * (1.0 + 3.0 * GELU_CUBIC * xv * xv);
            return g * (0.5 * (1.0 + t) + 0.5 * xv * (1.0 - t * t) * d_inner);
        }
        case SWISH: {
            let s = sigmoid(xv);
            return g * (s + xv * s * (1.0 - s));
        }
        case SINE: { return g * sine_quadrant(xv, 1u); }
        case LN: { return select(0.0, g / xv, xv > LN_FLOOR); }
        case RELU6: { return select(0.0, g, xv > 0.0 && xv < RELU6_CEILING); }
        case EXP: { return select(0.0, g * yv, xv < EXP_CEILING); }
        case RSQRT, default: { return select(0.0, -0.5 * g * yv * yv * yv, xv > RSQRT_FLOOR); }
    }
}
