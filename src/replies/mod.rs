//! Replies to units: their words ([`text`]) and their form as mail ([`mime`]).

pub mod mime;
pub mod text;
