//! Go's `math` functions where Rust's differ in the last bit or in corner
//! cases, so that MMU results are Go's bit for bit.

// Constants are spelled exactly as in Go's sources.
#![allow(clippy::excessive_precision, clippy::approx_constant)]

/// Go's `math.Min` (NaN wins; -0 < +0).
pub(super) fn go_min(x: f64, y: f64) -> f64 {
    if x.is_nan() || y.is_nan() {
        return f64::NAN;
    }
    if x == 0.0 && y == 0.0 {
        return if x.is_sign_negative() { x } else { y };
    }
    if x < y { x } else { y }
}

/// Go's `math.Max`.
pub(super) fn go_max(x: f64, y: f64) -> f64 {
    if x.is_nan() || y.is_nan() {
        return f64::NAN;
    }
    if x == 0.0 && y == 0.0 {
        return if x.is_sign_negative() { y } else { x };
    }
    if x > y { x } else { y }
}

/// Go's `math.Exp` on amd64 (`exp_amd64.s`, with its FMA variant when the
/// CPU has AVX and FMA, as Go picks): plot windows are truncated results of
/// `Exp`, so a last-bit difference would change them.
pub(super) fn go_exp(x: f64) -> f64 {
    const LOG2E: f64 = 1.442_695_040_888_963_407_359_924_681_001_892_0;
    const LN2U: f64 = 0.693_147_180_559_662_956_511_601_805_686_950_683_593_75;
    const LN2L: f64 = 0.282_352_905_630_315_771_225_884_481_750_134_360_255_254_120_68e-12;
    const OVERFLOW: f64 = 7.097_827_128_933_84e+02;
    const T: [f64; 9] = [
        0.5,
        1.0,
        2.0,
        1.666_666_666_666_666_666_7e-1,
        4.166_666_666_666_666_666_7e-2,
        8.333_333_333_333_333_333_3e-3,
        1.388_888_888_888_888_888_9e-3,
        1.984_126_984_126_984_127_0e-4,
        2.480_158_730_158_730_158_7e-5,
    ];
    if !x.is_finite() {
        return if x == f64::NEG_INFINITY { 0.0 } else { x };
    }
    if x > OVERFLOW {
        return f64::INFINITY;
    }
    // CVTSD2SL: round to nearest even; out of range gives i32::MIN.
    let l = LOG2E * x;
    let mut bx: i32 = if l.abs() < 2_147_483_647.0 {
        l.round_ties_even() as i32
    } else {
        i32::MIN
    };
    let k = f64::from(bx);
    let fma = use_fma();
    let mut x0 = x;
    if fma {
        x0 = (-k).mul_add(LN2U, x0);
        x0 = (-k).mul_add(LN2L, x0);
    } else {
        x0 -= LN2U * k;
        x0 -= LN2L * k;
    }
    x0 *= 0.0625;
    let mut x1 = T[8];
    for c in [T[7], T[6], T[5], T[4], T[3], T[0], T[1]] {
        x1 = if fma { x1.mul_add(x0, c) } else { x1 * x0 + c };
    }
    x0 *= x1;
    for i in 0..4 {
        let x1 = x0 + 2.0;
        if fma && i == 3 {
            x0 = x0.mul_add(x1, 1.0);
        } else {
            x0 *= x1;
        }
    }
    if !fma {
        x0 += 1.0;
    }
    // ldexp
    bx = bx.wrapping_add(0x3FF);
    if bx <= 0 {
        if bx < -52 {
            return 0.0;
        }
        bx += 0x3FE;
        x0 *= f64::from_bits((bx as u64) << 52);
        bx = 1;
    } else if bx >= 0x7FF {
        return f64::INFINITY;
    }
    x0 * f64::from_bits((bx as u64) << 52)
}

/// Whether Go's amd64 `math.Exp` takes its FMA path on this CPU.
fn use_fma() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx") && std::arch::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        true
    }
}

/// Go's `math.Log` on amd64 (`log_amd64.s`).
pub(super) fn go_log(x: f64) -> f64 {
    const HSQRT2: f64 = 7.071_067_811_865_475_244_01e-01;
    const LN2HI: f64 = 6.931_471_803_691_238_164_90e-01;
    const LN2LO: f64 = 1.908_214_929_270_587_700_02e-10;
    const L1: f64 = 6.666_666_666_666_735_130e-01;
    const L2: f64 = 3.999_999_999_940_941_908e-01;
    const L3: f64 = 2.857_142_874_366_239_149e-01;
    const L4: f64 = 2.222_219_843_214_978_396e-01;
    const L5: f64 = 1.818_357_216_161_805_012e-01;
    const L6: f64 = 1.531_383_769_920_937_332e-01;
    const L7: f64 = 1.479_819_860_511_658_591e-01;
    let bits = x.to_bits();
    if bits & !(1u64 << 63) == 0 {
        return f64::NEG_INFINITY;
    }
    if (bits as i64) < 0 {
        return f64::NAN;
    }
    if bits >= 0x7FF0_0000_0000_0000 {
        return x;
    }
    let mut f1 = f64::from_bits((bits & 0x000F_FFFF_FFFF_FFFF) | 0x3FE0_0000_0000_0000);
    let mut k = (((bits >> 52) & 0x7FF) as i32 - 0x3FE) as f64;
    let adj = if f1 <= HSQRT2 { 1.0 } else { 0.0 };
    k -= adj;
    f1 *= adj + 1.0;
    let f = f1 - 1.0;
    let s = f / (2.0 + f);
    let s2 = s * s;
    let s4 = s2 * s2;
    let t1 = s2 * ((((L7 * s4 + L5) * s4) + L3) * s4 + L1);
    let t2 = s4 * ((L6 * s4 + L4) * s4 + L2);
    let r = t1 + t2;
    let hfsq = 0.5 * f * f;
    let x3 = s * (hfsq + r) + LN2LO * k;
    k * LN2HI - ((hfsq - x3) - f)
}
