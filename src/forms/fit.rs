//! Fitting text into cells: how wide text is in Excel's column units and how many lines a wrapped
//! cell needs, so rows can be given heights that show all their text (Excel and LibreOffice do
//! not grow a row for wrapped text written by a library; they draw it over the rows below).
//!
//! A column unit is the width of one `0` of the default font; a CJK or full-width character is
//! about two. Wrapping is estimated per character (CJK text breaks anywhere), so the estimate is
//! a little generous for Latin words, never short for Chinese.

/// Points per line of 11 pt text, CJK fonts included (LibreOffice draws Noto CJK at about 15.5).
pub const LINE_PT: f64 = 16.0;
/// Excel's tallest row.
pub const MAX_ROW_PT: f64 = 409.0;

/// Whether a character takes two column units: CJK ideographs, kana, Hangul, full-width forms
/// and CJK punctuation.
pub fn is_wide(c: char) -> bool {
    matches!(u32::from(c),
        0x1100..=0x115F
        | 0x2E80..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x20000..=0x3FFFD)
}

/// The width of `text` in column units (a line; newlines count as nothing).
pub fn text_units(text: &str) -> usize {
    text.chars()
        .filter(|c| *c != '\n' && *c != '\r')
        .map(|c| if is_wide(c) { 2 } else { 1 })
        .sum()
}

/// Lines `text` takes when wrapped in a column `width` units wide: each of its own lines wraps
/// on its own; an empty text takes one line.
pub fn wrapped_lines(text: &str, width: f64) -> usize {
    // The cell's padding and the wider glyphs of some fonts take about two units.
    let capacity = (width - 2.0).max(1.0);
    text.lines()
        .map(|line| {
            let units = text_units(line) as f64;
            ((units / capacity).ceil() as usize).max(1)
        })
        .sum::<usize>()
        .max(1)
}

/// The height of a row whose cells hold `texts` in columns of the given widths.
pub fn row_height<'a>(cells: impl IntoIterator<Item = (&'a str, f64)>) -> f64 {
    let lines = cells
        .into_iter()
        .map(|(text, width)| wrapped_lines(text, width))
        .max()
        .unwrap_or(1);
    (lines as f64 * LINE_PT + 6.0).min(MAX_ROW_PT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_counts_two_units_latin_one() {
        assert_eq!(text_units("公开信（封）"), 12);
        assert_eq!(text_units("RD-2026 3"), 9);
        assert_eq!(text_units("3000元"), 6);
    }

    #[test]
    fn wrapped_lines_count_each_paragraph() {
        assert_eq!(wrapped_lines("", 20.0), 1);
        assert_eq!(wrapped_lines("一二三四五六七八九", 20.0), 1);
        assert_eq!(wrapped_lines("一二三四五六七八九十", 20.0), 2);
        assert_eq!(wrapped_lines("一\n二\n\n三", 20.0), 4);
        let case = "经".repeat(600);
        assert_eq!(wrapped_lines(&case, 50.0), 25);
    }

    #[test]
    fn a_row_is_as_tall_as_its_tallest_cell_within_excels_limit() {
        assert_eq!(row_height([("短", 10.0)]), LINE_PT + 6.0);
        assert_eq!(
            row_height([("短", 10.0), ("一二三四五六七八九十", 20.0)]),
            2.0 * LINE_PT + 6.0
        );
        assert_eq!(row_height([(&*"长".repeat(2000), 20.0)]), MAX_ROW_PT);
    }
}
