//! The forms of a unit's mail, planned: each accepted monthly form as the next version of its
//! period, each accepted case form as a case (or the next version of the case it corrects), with
//! their lines in the ingest report and the receipt. Pure, as [`super::plan`].

use super::{Input, Plan, PlannedCase, PlannedSubmission};
use crate::clock::local_text;
use crate::domain::period::Period;
use crate::domain::unit::Unit;
use crate::forms::Finding;
use crate::forms::case::missing_photos_warning;
use crate::forms::monthly::MonthlyForm;
use crate::intake::assess::{MonthlyReadingOf, Reading};
use crate::intake::report::{Change, FormReport, Outcome};
use crate::intake::settle::cases::case_report;
use crate::intake::settle::facts::{Facts, Previous};
use crate::replies::text::{self, Recorded, RecordedCase};

/// The accepted case forms as cases of the month of receipt (or of the case they correct),
/// each with the mail's photos; what to fix in the others.
pub(super) fn plan_cases<'p>(
    input: &Input<'_>,
    plan: &mut Plan<'p>,
    unit: &'p Unit,
    reading: &'p Reading,
    facts: &Facts,
) -> (Vec<FormReport>, Vec<RecordedCase>, Vec<Finding>) {
    let period = Period::open_at(input.config.office.zone.date_of(input.row.received_at));
    let mut corrected = facts.corrected.clone();
    let (mut reports, mut recorded, mut fixes) = (Vec::new(), Vec::new(), Vec::new());
    for case in &reading.cases {
        let mut warnings: Vec<String> = case.warnings.iter().map(Finding::warning_text).collect();
        let form = match &case.form {
            Ok(form) => form,
            Err(problems) => {
                let errors = problems.clone();
                reports.push(case_report(
                    case,
                    Outcome::Rejected,
                    period,
                    errors,
                    warnings,
                ));
                fixes.extend(problems.iter().cloned());
                continue;
            }
        };
        let prior = corrected.take();
        // A correction stays in the month of the case it corrects.
        let case_period = prior
            .as_ref()
            .and_then(|p| Period::parse(&p.period).ok())
            .unwrap_or(period);
        let version = prior.as_ref().map_or(1, |p| p.version + 1);
        plan.cases.push(PlannedCase {
            unit_code: unit.code.as_str(),
            form,
            attachment: &case.attachment,
            period: case_period,
            version,
            replaces: prior.as_ref().map(|p| p.id),
        });
        if facts.photos.is_empty() && prior.is_none() {
            warnings.push(missing_photos_warning().warning_text());
        }
        let mut report = case_report(
            case,
            Outcome::Accepted,
            case_period,
            vec![],
            warnings.clone(),
        );
        report.version = Some(version);
        reports.push(report);
        recorded.push(RecordedCase {
            attachment: case.attachment.clone(),
            period: case_period,
            photos: facts.photos.len(),
            reward: form.reward_yuan,
            warnings,
            version,
            replaces: prior.map(|p| local_text(p.received_at, input.config.office.zone.tz())),
        });
    }
    (reports, recorded, fixes)
}

/// One accepted monthly form: its next version, its line in the report and in the receipt.
pub(super) fn record<'p>(
    input: &Input<'_>,
    unit: &'p Unit,
    monthly: &'p MonthlyReadingOf,
    form: &'p MonthlyForm,
    previous: Option<Previous>,
) -> (PlannedSubmission<'p>, FormReport, Recorded) {
    let config = input.config;
    let deadline_day = config.schedule.deadline_day;
    let late = form.period.is_late(
        config.office.zone.date_of(input.row.received_at),
        deadline_day,
    );
    let period_source = text::period_source_text(&form.period_source);
    let version = previous.as_ref().map_or(1, |p| p.version + 1);
    let changes = previous
        .as_ref()
        .map(|p| form.values.diff(&p.values))
        .unwrap_or_default();
    let warnings: Vec<String> = monthly.warnings.iter().map(Finding::warning_text).collect();
    let report = FormReport {
        kind: "monthly",
        attachment: Some(monthly.attachment.clone()),
        outcome: Outcome::Accepted,
        period: Some(form.period.to_string()),
        period_source: Some(period_source.clone()),
        version: Some(version),
        late: Some(late),
        values: Some(form.values),
        changed: previous.as_ref().map(|_| {
            changes
                .iter()
                .map(|&(field, from, to)| Change {
                    field: field.key(),
                    from,
                    to,
                })
                .collect()
        }),
        errors: vec![],
        warnings: warnings.clone(),
    };
    let text = Recorded {
        attachment: monthly.attachment.clone(),
        period: form.period,
        period_source: period_source.clone(),
        version,
        replaces: previous.map(|p| local_text(p.received_at, config.office.zone.tz())),
        values: form.values,
        changes,
        late,
        deadline: form.period.deadline(deadline_day),
        warnings,
    };
    let planned = PlannedSubmission {
        unit_code: unit.code.as_str(),
        form,
        attachment: &monthly.attachment,
        late,
        period_source,
        version,
    };
    (planned, report, text)
}
