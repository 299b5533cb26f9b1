//! Pattern colours, shared by every chart and the HTML report.
//!
//! Twelve colours from Okabe–Ito and Paul Tol's muted, light and bright schemes, chosen (and
//! ordered) so that every pair — and every colour against the two greys — stays apart by a
//! CIEDE2000 difference of at least 8 for normal vision and under simulated protanopia and
//! deuteranopia (Machado et al. 2009); the first six are at least 12 apart. Patterns 1..=12 get
//! them in order; larger ids are "other" (mid grey), pattern 0 ("no clear pattern") light grey.
//! The test below recomputes the distances.

use plotters::style::RGBColor;

/// Colours of patterns 1..=12.
pub const PATTERN_HEX: [&str; 12] = [
    "#0072B2", // blue (Okabe–Ito)
    "#E69F00", // orange (Okabe–Ito)
    "#99DDFF", // light cyan (Tol light)
    "#CC6677", // rose (Tol muted)
    "#882255", // wine (Tol muted)
    "#D55E00", // vermillion (Okabe–Ito)
    "#332288", // indigo (Tol muted)
    "#F0E442", // yellow (Okabe–Ito)
    "#56B4E9", // sky blue (Okabe–Ito)
    "#EE8866", // peach (Tol light)
    "#DDCC77", // sand (Tol muted)
    "#AA3377", // purple (Tol bright)
];

/// Patterns beyond the twelfth, summed up as "other".
pub const OTHER_HEX: &str = "#999999";
/// Pattern 0, "no clear pattern".
pub const NONE_HEX: &str = "#DDDDDD";

/// Colour of a pattern id as `#RRGGBB`.
pub fn hex(id: u32) -> &'static str {
    match id {
        0 => NONE_HEX,
        i if (i as usize) <= PATTERN_HEX.len() => PATTERN_HEX[i as usize - 1],
        _ => OTHER_HEX,
    }
}

/// Whether a pattern id has a colour of its own (otherwise it is drawn as "other").
pub fn named(id: u32) -> bool {
    (1..=PATTERN_HEX.len() as u32).contains(&id)
}

pub(crate) fn rgb(hex: &str) -> RGBColor {
    let v = u32::from_str_radix(hex.trim_start_matches('#'), 16).unwrap_or(0);
    RGBColor((v >> 16) as u8, (v >> 8) as u8, v as u8)
}

pub(crate) fn color(id: u32) -> RGBColor {
    rgb(hex(id))
}

/// Whether dark text reads well on this colour (else use white).
pub(crate) fn is_light(c: RGBColor) -> bool {
    let lum = 0.2126 * f64::from(c.0) + 0.7152 * f64::from(c.1) + 0.0722 * f64::from(c.2);
    lum > 140.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn linear(c: u8) -> f64 {
        let c = f64::from(c) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    }

    fn encode(c: f64) -> f64 {
        let c = c.clamp(0.0, 1.0);
        if c <= 0.003_130_8 {
            c * 12.92
        } else {
            1.055 * c.powf(1.0 / 2.4) - 0.055
        }
    }

    /// Machado, Oliveira & Fernandes (2009), severity 1, in linear RGB.
    const PROTAN: [[f64; 3]; 3] = [
        [0.152286, 1.052583, -0.204868],
        [0.114503, 0.786281, 0.099216],
        [-0.003882, -0.048116, 1.051998],
    ];
    const DEUTAN: [[f64; 3]; 3] = [
        [0.367322, 0.860646, -0.227968],
        [0.280085, 0.672501, 0.047413],
        [-0.011820, 0.042940, 0.968881],
    ];
    const NORMAL: [[f64; 3]; 3] = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];

    fn lab(hex: &str, m: &[[f64; 3]; 3]) -> [f64; 3] {
        let c = rgb(hex);
        let l = [linear(c.0), linear(c.1), linear(c.2)];
        let sim: Vec<f64> = m
            .iter()
            .map(|row| linear_back(row[0] * l[0] + row[1] * l[1] + row[2] * l[2]))
            .collect();
        let x = 0.4124 * sim[0] + 0.3576 * sim[1] + 0.1805 * sim[2];
        let y = 0.2126 * sim[0] + 0.7152 * sim[1] + 0.0722 * sim[2];
        let z = 0.0193 * sim[0] + 0.1192 * sim[1] + 0.9505 * sim[2];
        let f = |t: f64| {
            if t > 0.008856 {
                t.cbrt()
            } else {
                7.787 * t + 16.0 / 116.0
            }
        };
        let (fx, fy, fz) = (f(x / 0.95047), f(y), f(z / 1.08883));
        [116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)]
    }

    /// Simulation happens on gamma-encoded values clipped to the gamut, then back to linear.
    fn linear_back(v: f64) -> f64 {
        let e = encode(v);
        if e <= 0.04045 {
            e / 12.92
        } else {
            ((e + 0.055) / 1.055).powf(2.4)
        }
    }

    /// CIEDE2000 colour difference.
    fn de2000(a: [f64; 3], b: [f64; 3]) -> f64 {
        let (l1, a1, b1) = (a[0], a[1], a[2]);
        let (l2, a2, b2) = (b[0], b[1], b[2]);
        let c_bar = (a1.hypot(b1) + a2.hypot(b2)) / 2.0;
        let g = 0.5 * (1.0 - (c_bar.powi(7) / (c_bar.powi(7) + 25f64.powi(7))).sqrt());
        let (a1p, a2p) = ((1.0 + g) * a1, (1.0 + g) * a2);
        let (c1p, c2p) = (a1p.hypot(b1), a2p.hypot(b2));
        let hue = |b: f64, a: f64| b.atan2(a).to_degrees().rem_euclid(360.0);
        let (h1p, h2p) = (hue(b1, a1p), hue(b2, a2p));
        let dl = l2 - l1;
        let dc = c2p - c1p;
        let mut dh = h2p - h1p;
        if c1p * c2p == 0.0 {
            dh = 0.0;
        } else if dh > 180.0 {
            dh -= 360.0;
        } else if dh < -180.0 {
            dh += 360.0;
        }
        let dhh = 2.0 * (c1p * c2p).sqrt() * (dh / 2.0).to_radians().sin();
        let l_bar = (l1 + l2) / 2.0;
        let cp_bar = (c1p + c2p) / 2.0;
        let h_bar = if c1p * c2p == 0.0 {
            h1p + h2p
        } else if (h1p - h2p).abs() <= 180.0 {
            (h1p + h2p) / 2.0
        } else if h1p + h2p < 360.0 {
            (h1p + h2p + 360.0) / 2.0
        } else {
            (h1p + h2p - 360.0) / 2.0
        };
        let t = 1.0 - 0.17 * (h_bar - 30.0).to_radians().cos()
            + 0.24 * (2.0 * h_bar).to_radians().cos()
            + 0.32 * (3.0 * h_bar + 6.0).to_radians().cos()
            - 0.20 * (4.0 * h_bar - 63.0).to_radians().cos();
        let d_theta = 30.0 * (-((h_bar - 275.0) / 25.0).powi(2)).exp();
        let rc = 2.0 * (cp_bar.powi(7) / (cp_bar.powi(7) + 25f64.powi(7))).sqrt();
        let sl = 1.0 + 0.015 * (l_bar - 50.0).powi(2) / (20.0 + (l_bar - 50.0).powi(2)).sqrt();
        let sc = 1.0 + 0.045 * cp_bar;
        let sh = 1.0 + 0.015 * cp_bar * t;
        let rt = -(2.0 * d_theta).to_radians().sin() * rc;
        ((dl / sl).powi(2) + (dc / sc).powi(2) + (dhh / sh).powi(2) + rt * (dc / sc) * (dhh / sh))
            .sqrt()
    }

    fn min_difference(colors: &[&str], vision: &[[f64; 3]; 3]) -> (f64, String) {
        let mut worst = (f64::INFINITY, String::new());
        for (i, a) in colors.iter().enumerate() {
            for b in &colors[i + 1..] {
                if [a, b].iter().all(|c| **c == OTHER_HEX || **c == NONE_HEX) {
                    continue; // the two greys differ by lightness only, and say so in legends
                }
                let d = de2000(lab(a, vision), lab(b, vision));
                if d < worst.0 {
                    worst = (d, format!("{a} vs {b}"));
                }
            }
        }
        worst
    }

    #[test]
    fn de2000_matches_the_published_reference_pair() {
        // Sharma, Wu & Dalal (2005), test pair 1: ΔE00 = 2.0425.
        let d = de2000([50.0, 2.6772, -79.7751], [50.0, 0.0, -82.7485]);
        assert!((d - 2.0425).abs() < 1e-3, "{d}");
    }

    #[test]
    fn twelve_colours_stay_distinct_for_colour_blind_readers() {
        let mut all: Vec<&str> = PATTERN_HEX.to_vec();
        all.extend([OTHER_HEX, NONE_HEX]);
        for (name, vision) in [("normal", NORMAL), ("protan", PROTAN), ("deutan", DEUTAN)] {
            let (d, pair) = min_difference(&all, &vision);
            assert!(d >= 8.0, "{name}: {pair} differ by only ΔE00 {d:.1}");
            let (d6, pair6) = min_difference(&PATTERN_HEX[..6], &vision);
            assert!(d6 >= 12.0, "{name}: {pair6} differ by only ΔE00 {d6:.1}");
        }
    }

    #[test]
    fn ids_map_to_colours() {
        assert_eq!(hex(0), NONE_HEX);
        assert_eq!(hex(1), "#0072B2");
        assert_eq!(hex(12), "#AA3377");
        assert_eq!(hex(13), OTHER_HEX);
        assert!(named(12) && !named(13) && !named(0));
        assert_eq!(rgb("#0072B2"), RGBColor(0, 0x72, 0xB2));
    }
}
