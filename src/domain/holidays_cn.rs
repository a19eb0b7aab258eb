//! The official days off and make-up working days (放假 and 调休) of the State Council's yearly
//! holiday notices, built in for every year published when this release was made (SPEC §17).
//! [`crate::domain::WorkCalendar::official_with`] merges them with the config's own lists.
//!
//! Each year cites its notice (title, 国办发明电 number where the reprints found give it, date of
//! issue). Ranges are inclusive and written as in the notice; a range that begins on a weekend
//! simply repeats a day off. 2027 was not yet found published (searched 2026-12-03): until a
//! release carries it, `check-config` warns and the office lists its days in `[schedule]`.

use chrono::NaiveDate;

/// A (month, day) of the notice's year.
type MonthDay = (u32, u32);

/// One notice: its days off (inclusive ranges of (month, day) pairs) and make-up working days.
pub struct Notice {
    pub year: i32,
    pub citation: &'static str,
    off: &'static [(MonthDay, MonthDay)],
    work: &'static [MonthDay],
}

pub const NOTICES: &[Notice] = &[
    Notice {
        year: 2020,
        // The Spring Festival was then extended to 2 February (Sunday), so the make-up day of
        // 1 February (Saturday) was not worked.
        citation: "《国务院办公厅关于2020年部分节假日安排的通知》国办发明电〔2019〕16号, 2019-11-21; \
                   《国务院办公厅关于延长2020年春节假期的通知》国办发明电〔2020〕1号, 2020-01-27",
        off: &[
            ((1, 1), (1, 1)),
            ((1, 24), (2, 2)),
            ((4, 4), (4, 6)),
            ((5, 1), (5, 5)),
            ((6, 25), (6, 27)),
            ((10, 1), (10, 8)),
        ],
        work: &[(1, 19), (4, 26), (5, 9), (6, 28), (9, 27), (10, 10)],
    },
    Notice {
        year: 2021,
        citation: "《国务院办公厅关于2021年部分节假日安排的通知》国办发明电〔2020〕27号, 2020-11-25",
        off: &[
            ((1, 1), (1, 3)),
            ((2, 11), (2, 17)),
            ((4, 3), (4, 5)),
            ((5, 1), (5, 5)),
            ((6, 12), (6, 14)),
            ((9, 19), (9, 21)),
            ((10, 1), (10, 7)),
        ],
        work: &[(2, 7), (2, 20), (4, 25), (5, 8), (9, 18), (9, 26), (10, 9)],
    },
    Notice {
        year: 2022,
        citation: "《国务院办公厅关于2022年部分节假日安排的通知》国办发明电〔2021〕11号, 2021-10-25",
        off: &[
            ((1, 1), (1, 3)),
            ((1, 31), (2, 6)),
            ((4, 3), (4, 5)),
            ((4, 30), (5, 4)),
            ((6, 3), (6, 5)),
            ((9, 10), (9, 12)),
            ((10, 1), (10, 7)),
        ],
        work: &[(1, 29), (1, 30), (4, 2), (4, 24), (5, 7), (10, 8), (10, 9)],
    },
    Notice {
        year: 2023,
        // 元旦 runs from 2022-12-31 (a Saturday, a day off anyway) to 2023-01-02.
        citation: "《国务院办公厅关于2023年部分节假日安排的通知》国办发明电〔2022〕16号, 2022-12-08",
        off: &[
            ((1, 1), (1, 2)),
            ((1, 21), (1, 27)),
            ((4, 5), (4, 5)),
            ((4, 29), (5, 3)),
            ((6, 22), (6, 24)),
            ((9, 29), (10, 6)),
        ],
        work: &[(1, 28), (1, 29), (4, 23), (5, 6), (6, 25), (10, 7), (10, 8)],
    },
    Notice {
        year: 2024,
        citation: "《国务院办公厅关于2024年部分节假日安排的通知》国办发明电〔2023〕7号, 2023-10-25",
        off: &[
            ((1, 1), (1, 1)),
            ((2, 10), (2, 17)),
            ((4, 4), (4, 6)),
            ((5, 1), (5, 5)),
            ((6, 10), (6, 10)),
            ((9, 15), (9, 17)),
            ((10, 1), (10, 7)),
        ],
        work: &[
            (2, 4),
            (2, 18),
            (4, 7),
            (4, 28),
            (5, 11),
            (9, 14),
            (9, 29),
            (10, 12),
        ],
    },
    Notice {
        year: 2025,
        citation: "《国务院办公厅关于2025年部分节假日安排的通知》国办发明电〔2024〕12号, 2024-11-12",
        off: &[
            ((1, 1), (1, 1)),
            ((1, 28), (2, 4)),
            ((4, 4), (4, 6)),
            ((5, 1), (5, 5)),
            ((5, 31), (6, 2)),
            ((10, 1), (10, 8)),
        ],
        work: &[(1, 26), (2, 8), (4, 27), (9, 28), (10, 11)],
    },
    Notice {
        year: 2026,
        // The reprints found (Xinhua, 2025-11-04) do not give the 国办发明电 number.
        citation: "《国务院办公厅关于2026年部分节假日安排的通知》, 2025-11-04 (新华社受权发布)",
        off: &[
            ((1, 1), (1, 3)),
            ((2, 15), (2, 23)),
            ((4, 4), (4, 6)),
            ((5, 1), (5, 5)),
            ((6, 19), (6, 21)),
            ((9, 25), (9, 27)),
            ((10, 1), (10, 7)),
        ],
        work: &[(1, 4), (2, 14), (2, 28), (5, 9), (9, 20), (10, 10)],
    },
];

fn date(year: i32, (month, day): MonthDay) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, day)
}

impl Notice {
    /// Every day off of the notice, in order.
    pub fn days_off(&self) -> Vec<NaiveDate> {
        let mut out = Vec::new();
        for &(from, to) in self.off {
            let (Some(mut day), Some(last)) = (date(self.year, from), date(self.year, to)) else {
                continue;
            };
            while day <= last {
                out.push(day);
                let Some(next) = day.succ_opt() else { break };
                day = next;
            }
        }
        out
    }

    /// The make-up working days (weekend days worked), in order.
    pub fn workdays(&self) -> Vec<NaiveDate> {
        self.work
            .iter()
            .filter_map(|&md| date(self.year, md))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Datelike, Weekday};

    use super::*;

    #[test]
    fn every_make_up_day_is_a_weekend_and_no_day_is_both() {
        for notice in NOTICES {
            let off = notice.days_off();
            for day in notice.workdays() {
                assert!(
                    matches!(day.weekday(), Weekday::Sat | Weekday::Sun),
                    "{day} in {}",
                    notice.year
                );
                assert!(!off.contains(&day), "{day} in {}", notice.year);
            }
            assert!(off.len() >= 20, "{}: {} days off", notice.year, off.len());
        }
    }

    #[test]
    fn years_are_in_order_without_gaps_and_cite_their_notice() {
        for pair in NOTICES.windows(2) {
            assert_eq!(pair[0].year + 1, pair[1].year);
        }
        for notice in NOTICES {
            let year = format!("{}年部分节假日安排的通知", notice.year);
            assert!(notice.citation.contains(&year), "{}", notice.citation);
        }
    }
}
