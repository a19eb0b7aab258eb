//! Replies to units: their words ([`text`]), their form as mail ([`mime`]) and how a mail is
//! queued ([`queue::queue_mail`]).

pub mod mime;
pub mod queue;
pub mod subject;
pub mod text;
