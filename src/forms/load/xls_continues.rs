//! A bound on BIFF CONTINUE records (type 0x003C), checked before calamine reads a `.xls`.
//!
//! calamine 0.38 gathers the CONTINUE records that follow a record into a list and then takes
//! them from its front one at a time (`Vec::remove(0)` in `Record::continue_record`), so a run of
//! n of them costs n²/2 moves: a crafted shared-string table followed by a long run of empty
//! CONTINUE records (four bytes each) keeps it busy for minutes from a few hundred kilobytes.
//! A real workbook has a handful (a shared-string table over 8 KB continues in 8 KB pieces), so a
//! run, and all runs of the stream together, are bounded here; calamine's work on them stays
//! below `MAX_CONTINUE_RUN × MAX_CONTINUES` moves (a fraction of a second).

use super::WorkbookError;

/// The most CONTINUE records after one record: 8 MB of one shared-string table.
pub(super) const MAX_CONTINUE_RUN: usize = 1024;
/// The most CONTINUE records in every walk calamine makes of the stream, together.
pub(super) const MAX_CONTINUES: usize = 16_384;

const CONTINUE: u16 = 0x003C;

/// Counts the CONTINUE records of a stream's records, in the order calamine walks them.
#[derive(Debug, Default)]
pub(super) struct Continues {
    run: usize,
    total: usize,
}

impl Continues {
    /// Notes a record of type `typ`; an error once a bound is passed.
    pub(super) fn see(&mut self, typ: u16) -> Result<(), WorkbookError> {
        if typ != CONTINUE {
            self.run = 0;
            return Ok(());
        }
        self.run += 1;
        self.total += 1;
        if self.run > MAX_CONTINUE_RUN || self.total > MAX_CONTINUES {
            return Err(WorkbookError::Damaged(format!(
                "more CONTINUE records than a workbook has (over {MAX_CONTINUE_RUN} in a row \
                 or {MAX_CONTINUES} in all)"
            )));
        }
        Ok(())
    }

    /// A new walk starts (a sheet's substream): its first run is a new run.
    pub(super) fn restart(&mut self) {
        self.run = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walk(types: impl IntoIterator<Item = u16>) -> Result<(), WorkbookError> {
        let mut continues = Continues::default();
        types.into_iter().try_for_each(|typ| continues.see(typ))
    }

    #[test]
    fn runs_and_their_total_are_bounded() {
        let run = |n| std::iter::once(0x00FC).chain(std::iter::repeat_n(CONTINUE, n));
        assert!(walk(run(MAX_CONTINUE_RUN)).is_ok());
        assert!(matches!(
            walk(run(MAX_CONTINUE_RUN + 1)),
            Err(WorkbookError::Damaged(_))
        ));
        let runs = MAX_CONTINUES / MAX_CONTINUE_RUN;
        assert!(walk((0..runs).flat_map(|_| run(MAX_CONTINUE_RUN))).is_ok());
        assert!(walk((0..=runs).flat_map(|_| run(MAX_CONTINUE_RUN))).is_err());
    }
}
