//! End-to-end tests: the whole intake against real files and a fresh data dir per test.

mod acceptance_forms;
mod batch;
mod cases;
mod cases_fixtures;
mod cli;
mod corpus;
mod daemon;
mod export;
mod forms_fixtures;
#[allow(dead_code)]
#[path = "../common/guard.rs"]
mod guard;
mod intake;
mod ops;
mod papers;
mod papers_out;
mod promises;
mod reminders;
mod support;
mod template;
mod trust;
mod xlsx_parts;
