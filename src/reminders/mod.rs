//! Deadlines and reminders (SPEC §5): the pure core the scheduler task drives.
//!
//! - [`schedule`]: the planned sending moments ([`Slot`]) of a period, with the working-day shifts.
//! - [`due`]: what to send at a given moment, exactly once, with catch-up after down-time.
//! - [`text`]: the Chinese reminder and staff-digest texts.
//! - [`run`]: the IO edge: one step that records and queues what is due, and the scheduler task.
//! - [`manual`]: reminders asked for now (the bot's `/remind`), through the same queuing.
//!
//! Nothing but [`run`] reads the clock, the database or the network: the caller passes the office-local
//! time and a look-up into the recorded reminders, and records what it sends.

pub mod due;
pub mod manual;
pub mod run;
pub mod schedule;
pub mod text;

#[cfg(test)]
mod voice_tests;
#[cfg(test)]
mod walk_tests;

pub use due::{Due, Plan, UnitState, digest_due, due_at};
pub use schedule::{
    ReminderKind, ScheduleError, ScheduleRules, Slot, next_wakeup, overdue_slot, slots,
};
pub use text::{reminder_body, reminder_subject, staff_digest};
