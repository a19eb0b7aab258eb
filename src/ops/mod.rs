//! Running for years (SPEC §17): one daemon per data dir ([`lock`]), file errors that name the
//! owner and the user we run as ([`access`]), the health verdict ([`health`]), backup and restore
//! ([`backup`]).

pub mod access;
pub mod backup;
pub mod health;
pub mod lock;
pub mod pipe;
pub mod preflight;
