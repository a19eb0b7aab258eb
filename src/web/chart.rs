//! A unit's history as small SVG bar charts, one per field, over twelve months: bars drawn with
//! plotters' SVG backend (default features off, so no system fonts are needed or read); the few
//! labels (month numbers, the highest value) are written into the SVG here as plain `<text>`.

use plotters::prelude::*;

use crate::domain::period::Period;

const WIDTH: u32 = 240;
const HEIGHT: u32 = 110;
const SIDE: u32 = 6;
const TOP: u32 = 14;
const BOTTOM: u32 = 16;
const BAR: RGBColor = RGBColor(31, 78, 121);

/// One field's chart: `values[i]` belongs to `months[i]`; `None` is a month not reported (no bar,
/// a grey tick instead).
pub fn field_chart(months: &[Period], values: &[Option<u64>]) -> Result<String, String> {
    let max = values.iter().flatten().copied().max().unwrap_or(0);
    // Bars are drawn on a linear scale; far above 2^53 the f64 loses units, which no count reaches.
    let top = (max.max(1)) as f64;
    let slots = months.len().max(1) as f64;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let mut chart = ChartBuilder::on(&root)
            .margin_left(SIDE)
            .margin_right(SIDE)
            .margin_top(TOP)
            .margin_bottom(BOTTOM)
            .build_cartesian_2d(0f64..slots, 0f64..top)
            .map_err(|e| e.to_string())?;
        let bars = values.iter().enumerate().map(|(i, value)| {
            let x = i as f64;
            match value {
                Some(v) => Rectangle::new([(x + 0.15, 0.0), (x + 0.85, *v as f64)], BAR.filled()),
                None => Rectangle::new(
                    [(x + 0.35, 0.0), (x + 0.65, top * 0.02)],
                    RGBColor(200, 200, 200).filled(),
                ),
            }
        });
        chart.draw_series(bars).map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(with_labels(svg, months, max))
}

/// Adds the month numbers under the bars and the highest value at the top left.
fn with_labels(svg: String, months: &[Period], max: u64) -> String {
    let plot_width = f64::from(WIDTH - 2 * SIDE);
    let slot = plot_width / months.len().max(1) as f64;
    let mut labels = String::new();
    for (i, month) in months.iter().enumerate() {
        let x = f64::from(SIDE) + (i as f64 + 0.5) * slot;
        labels.push_str(&format!(
            r##"<text x="{x:.1}" y="{}" font-size="9" text-anchor="middle" fill="#555">{}</text>"##,
            HEIGHT - 4,
            month.month()
        ));
    }
    labels.push_str(&format!(
        r##"<text x="{SIDE}" y="10" font-size="9" fill="#555">最高 {max}</text>"##
    ));
    match svg.rfind("</svg>") {
        Some(end) => format!("{}{labels}{}", &svg[..end], &svg[end..]),
        None => svg,
    }
}

/// The twelve months ending with `last`, oldest first.
pub fn twelve_months(last: Period) -> Vec<Period> {
    (0..12)
        .rev()
        .filter_map(|back| last.add_months(-back))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_has_a_bar_per_reported_month_and_its_labels() {
        let months = twelve_months(Period::parse("2026-11").unwrap());
        assert_eq!(months.len(), 12);
        assert_eq!(months[0].to_string(), "2025-12");
        let mut values = vec![None; 12];
        values[11] = Some(7);
        values[10] = Some(3);
        let svg = field_chart(&months, &values).unwrap();
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(svg.contains("最高 7"));
        assert!(svg.contains(">11</text>"));
        assert!(svg.trim_end().ends_with("</svg>"));
        // Two bars, ten grey ticks, one white background.
        assert_eq!(svg.matches("<rect").count(), 13, "{svg}");
    }
}
