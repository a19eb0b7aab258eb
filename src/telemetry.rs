//! Logging: `tracing` to standard error, filtered by `RUST_LOG` (default `warn`, so command
//! output stays clean; `run` users set `RUST_LOG=info`). Plain text without colour codes unless
//! standard error is a terminal (a file or the journal gets no escape codes), or one JSON object
//! per line with `--log-format json`.
//!
//! teloxide and its HTTP stack log request URLs, which carry the bot token, at debug level: they
//! are held at `warn` whatever `RUST_LOG` says.

/// Targets that may log the bot token below `warn`.
const TOKEN_BEARING_TARGETS: [&str; 5] = [
    "teloxide",
    "teloxide_core",
    "reqwest",
    "hyper",
    "hyper_util",
];

/// How log lines are written (`--log-format`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Plain text; coloured only when standard error is a terminal.
    #[default]
    Text,
    /// One JSON object per line (for the journal or a log collector).
    Json,
}

pub fn init(format: LogFormat) {
    use std::io::IsTerminal;
    let filter = filter(std::env::var("RUST_LOG").ok().as_deref());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder
            .with_ansi(std::io::stderr().is_terminal())
            .try_init(),
        LogFormat::Json => builder.json().with_ansi(false).try_init(),
    };
}

fn filter(rust_log: Option<&str>) -> tracing_subscriber::EnvFilter {
    let mut filter = rust_log
        .and_then(|spec| tracing_subscriber::EnvFilter::try_new(spec).ok())
        .unwrap_or_else(|| tracing_subscriber::EnvFilter::new("warn"));
    for target in TOKEN_BEARING_TARGETS {
        if let Ok(directive) = format!("{target}=warn").parse() {
            filter = filter.add_directive(directive);
        }
    }
    filter
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn teloxide_stays_at_warn_even_when_everything_else_is_debug() {
        let text = filter(Some("debug,teloxide=trace")).to_string();
        assert!(text.contains("teloxide=warn"), "{text}");
        assert!(!text.contains("teloxide=trace"), "{text}");
    }
}
