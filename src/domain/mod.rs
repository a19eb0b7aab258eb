//! Domain types: values that are valid by construction, shared by every part of reportdesk.

pub mod calendar;
pub mod deadline;
pub mod echo;
pub mod fields;
pub mod holidays_cn;
pub mod office;
pub mod outcome;
pub mod period;
pub mod phone;
pub mod quarter;
pub mod text;
pub mod unit;

pub use calendar::WorkCalendar;
pub use fields::{Field, MonthlyValues};
pub use office::OfficeZone;
pub use outcome::Outcome;
pub use period::{Period, PeriodError};
pub use phone::{PhoneError, PhoneKind, PhoneNumber};
