//! Replies to units: their words ([`text`]), their subject lines on a thread ([`subject`]), their
//! form as mail ([`mime`]) and how a mail is queued ([`queue::queue_mail`]).

pub mod held;
pub mod mime;
pub mod queue;
pub mod subject;
pub mod text;
