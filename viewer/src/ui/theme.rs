//! Colours and number formatting.

use egui::Color32;

use crate::model::Category;

/// Fill colour of a state category (Tableau 10, distinct and colour-blind friendly).
pub fn category_color(c: Category) -> Color32 {
    match c {
        Category::Running => Color32::from_rgb(0x59, 0xa1, 0x4f),
        Category::Runnable => Color32::from_rgb(0xed, 0xc9, 0x48),
        Category::Syscall => Color32::from_rgb(0xb0, 0x7a, 0xa1),
        Category::Chan => Color32::from_rgb(0x4e, 0x79, 0xa7),
        Category::Select => Color32::from_rgb(0x76, 0xb7, 0xb2),
        Category::Sync => Color32::from_rgb(0xe1, 0x57, 0x59),
        Category::Network => Color32::from_rgb(0x9c, 0x75, 0x5f),
        Category::Sleep => Color32::from_rgb(0xba, 0xb0, 0xac),
        Category::Gc => Color32::from_rgb(0xff, 0x9d, 0xa7),
        Category::OtherWait => Color32::from_rgb(0x80, 0x80, 0x90),
        Category::None => Color32::from_rgb(0x40, 0x40, 0x40),
    }
}

/// Colour of the GC mark phase track.
pub const GC: Color32 = Color32::from_rgb(0xaf, 0x7a, 0xd6);
/// Colour of stop-the-world pauses.
pub const STW: Color32 = Color32::from_rgb(0xd6, 0x3a, 0x3a);
/// Colour of GC sweeping on a P.
pub const SWEEP: Color32 = Color32::from_rgb(0xff, 0x9d, 0xa7);
/// Heap in use.
pub const HEAP: Color32 = Color32::from_rgb(0x4e, 0x9a, 0xe0);
/// Heap goal.
pub const HEAP_GOAL: Color32 = Color32::from_rgb(0xf2, 0x8e, 0x2b);
/// CPU sample marks.
pub const CPU: Color32 = Color32::from_rgb(0xe0, 0xe0, 0x60);
/// Selection overlay.
pub const SELECTION: Color32 = Color32::from_rgba_premultiplied(20, 40, 80, 40);
/// User regions.
pub const REGION: Color32 = Color32::from_rgb(0x8c, 0xb8, 0xe8);
/// Text drawn on spans.
pub const SPAN_TEXT: Color32 = Color32::from_rgb(0x10, 0x10, 0x10);

/// A stable colour for a function name (by string ID), used on P/M tracks.
pub fn function_color(name: u32, text: &str) -> Color32 {
    if text.is_empty() {
        return Color32::from_rgb(0x90, 0x90, 0x90);
    }
    // FNV-1a over the name, so colours do not depend on load order.
    let mut h: u32 = 0x811c_9dc5;
    for b in text.bytes() {
        h ^= b as u32;
        h = h.wrapping_mul(0x0100_0193);
    }
    let _ = name;
    let hue = (h % 360) as f32 / 360.0;
    let sat = 0.45 + ((h >> 9) % 20) as f32 / 100.0;
    let val = 0.78 + ((h >> 17) % 15) as f32 / 100.0;
    egui::ecolor::Hsva::new(hue, sat, val, 1.0).into()
}

/// Same colour, scaled alpha.
pub fn with_alpha(c: Color32, a: f32) -> Color32 {
    let [r, g, b, _] = c.to_array();
    Color32::from_rgba_unmultiplied(r, g, b, (a.clamp(0.0, 1.0) * 255.0) as u8)
}

/// A duration in human units: "850 ns", "12.5 µs", "3.21 ms", "1.234 s".
pub fn dur(ns: i64) -> String {
    let a = ns.unsigned_abs() as f64;
    let sign = if ns < 0 { "-" } else { "" };
    if a < 1e3 {
        format!("{sign}{a} ns")
    } else if a < 1e6 {
        format!("{sign}{} µs", trim(a / 1e3))
    } else if a < 1e9 {
        format!("{sign}{} ms", trim(a / 1e6))
    } else {
        format!("{sign}{} s", trim(a / 1e9))
    }
}

fn trim(v: f64) -> String {
    let s = if v >= 100.0 {
        format!("{v:.1}")
    } else if v >= 10.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    };
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

/// Byte counts: "512 B", "1.5 MiB".
pub fn bytes(b: u64) -> String {
    let f = b as f64;
    if f < 1024.0 {
        format!("{b} B")
    } else if f < 1024.0 * 1024.0 {
        format!("{} KiB", trim(f / 1024.0))
    } else if f < 1024.0 * 1024.0 * 1024.0 {
        format!("{} MiB", trim(f / 1024.0 / 1024.0))
    } else {
        format!("{} GiB", trim(f / 1024.0 / 1024.0 / 1024.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(dur(850), "850 ns");
        assert_eq!(dur(12_500), "12.5 µs");
        assert_eq!(dur(3_210_000), "3.21 ms");
        assert_eq!(dur(1_234_000_000), "1.234 s");
        assert_eq!(dur(-2_000), "-2 µs");
        assert_eq!(dur(123_456_789), "123.5 ms");
        assert_eq!(bytes(512), "512 B");
        assert_eq!(bytes(1536 * 1024), "1.5 MiB");
    }

    #[test]
    fn category_colours_are_distinct() {
        let mut seen = std::collections::HashSet::new();
        for c in Category::ALL {
            assert!(seen.insert(category_color(c).to_array()), "{c:?}");
        }
        assert_eq!(
            function_color(1, "main.worker"),
            function_color(2, "main.worker")
        );
        assert_ne!(
            function_color(1, "main.worker"),
            function_color(1, "main.main")
        );
    }
}
