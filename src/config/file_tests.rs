//! Tests of the configuration file: defaults, paths, and errors that name their key.

use super::*;
use crate::config::{Inbound, Outbound, TlsMode};

fn shipped() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/config/reportdesk.toml"
    ))
}

#[test]
fn the_shipped_config_loads_with_the_embedded_defaults() {
    let config = Config::load(&shipped(), None).unwrap();
    assert_eq!(config.inbound, Inbound::Maildir);
    assert_eq!(config.outbound, Outbound::Maildir);
    assert_eq!(config.office.zone.tz(), chrono_tz::Asia::Shanghai);
    assert_eq!(config.schedule.deadline_day, 20);
    assert!(config.data_dir.ends_with("var"));
    assert!(config.database_url.ends_with("var/reportdesk.db"));
    assert!(!config.bot.enabled);
}

#[test]
fn data_dir_from_the_command_line_wins() {
    let config = Config::load(&shipped(), Some(Path::new("/tmp/rd"))).unwrap();
    assert_eq!(config.data_dir, PathBuf::from("/tmp/rd"));
    assert_eq!(config.database_url, "sqlite:///tmp/rd/reportdesk.db");
}

fn load_text(text: &str) -> Result<Config, ConfigError> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("config")).unwrap();
    let roster = concat!(env!("CARGO_MANIFEST_DIR"), "/config/units.toml");
    let path = dir.path().join("config/reportdesk.toml");
    std::fs::write(&path, format!("roster = {roster:?}\n{text}")).unwrap();
    Config::load(&path, None)
}

#[test]
fn errors_name_the_key() {
    let office = "[office]\nname = \"x\"\naddress = \"o@example.cn\"\n";
    let err = load_text(&format!("{office}[schedule]\ndeadline_day = 31\n")).unwrap_err();
    assert!(err.to_string().contains("deadline_day"), "{err}");
    let err = load_text(&format!(
        "{office}[schedule]\nholidays = [\"2026-10-32\"]\n"
    ))
    .unwrap_err();
    assert!(err.to_string().contains("schedule.holidays"), "{err}");
    let err = load_text(&format!("{office}timezone = \"Mars/Base\"\n")).unwrap_err();
    assert!(err.to_string().contains("office.zone.tz()"), "{err}");
    let err = load_text(&format!("{office}[schedule]\ndeadlin_day = 3\n")).unwrap_err();
    assert!(err.to_string().contains("deadlin_day"), "{err}");
    let imap = "[inbound]\nkind = \"imap\"\nhost = \"imap.qq.com\"\nport = 993\ntls = \"none\"\nusername = \"u\"\npassword_env = \"P\"\n";
    let err = load_text(&format!("{office}{imap}")).unwrap_err();
    assert!(err.to_string().contains("loopback"), "{err}");
    assert!(err.to_string().contains("inbound.tls"), "{err}");
}

#[test]
fn the_tls_mode_is_parsed_once_and_an_unknown_one_names_its_key() {
    let office = "[office]\nname = \"x\"\naddress = \"o@example.cn\"\n";
    let smtp = |tls: &str| {
        format!(
            "{office}[outbound]\nkind = \"smtp\"\nhost = \"smtp.qq.com\"\nport = 465\n{tls}username = \"u\"\npassword_env = \"P\"\n"
        )
    };
    let err = load_text(&smtp("tls = \"ssl\"\n")).unwrap_err();
    assert!(err.to_string().contains("outbound.tls"), "{err}");
    assert!(err.to_string().contains("\"ssl\""), "{err}");
    for (text, mode) in [
        ("", TlsMode::Implicit),
        ("tls = \"implicit\"\n", TlsMode::Implicit),
        ("tls = \"starttls\"\n", TlsMode::Starttls),
    ] {
        let config = load_text(&smtp(text)).unwrap();
        let Outbound::Smtp(settings) = config.outbound else {
            panic!("SMTP outbound expected");
        };
        assert_eq!(settings.tls, mode);
    }
}

#[test]
fn a_missing_roster_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("reportdesk.toml");
    std::fs::write(
        &path,
        "roster = \"/nonexistent/units.toml\"\n[office]\nname = \"x\"\naddress = \"o@example.cn\"\n",
    )
    .unwrap();
    let err = Config::load(&path, None).unwrap_err();
    assert!(err.to_string().contains("/nonexistent/units.toml"), "{err}");
}

#[test]
fn the_papers_keys_are_parsed_and_their_errors_name_the_key() {
    let office = "[office]\nname = \"x\"\naddress = \"o@example.cn\"\n";
    let config = load_text(&format!(
        "{office}reporter = \"王晓梅\"\nphone = \"023-68830000\"\nupstream_address = \"City@Example.gov.cn\"\n"
    ))
    .unwrap();
    assert_eq!(config.office.reporter.as_deref(), Some("王晓梅"));
    assert_eq!(config.office.phone.unwrap().as_str(), "023-68830000");
    assert_eq!(
        config.office.upstream_address.as_deref(),
        Some("city@example.gov.cn")
    );
    let unset = load_text(office).unwrap();
    assert_eq!(unset.office.upstream_address, None);
    assert_eq!(unset.office.phone, None);
    let err = load_text(&format!("{office}phone = \"12\"\n")).unwrap_err();
    assert!(err.to_string().contains("office.phone"), "{err}");
    let err = load_text(&format!("{office}upstream_address = \"city\"\n")).unwrap_err();
    assert!(err.to_string().contains("office.upstream_address"), "{err}");
}

#[test]
fn relative_paths_are_taken_from_the_config_files_own_folder() {
    let dir = tempfile::tempdir().unwrap();
    let etc = dir.path().join("etc/reportdesk");
    std::fs::create_dir_all(&etc).unwrap();
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/config/units.toml"),
        etc.join("units.toml"),
    )
    .unwrap();
    let path = etc.join("reportdesk.toml");
    std::fs::write(
        &path,
        "data_dir = \"../../var/lib/reportdesk\"\nroster = \"units.toml\"\n[office]\nname = \"x\"\naddress = \"o@example.cn\"\n[inbound]\nkind = \"imap\"\nhost = \"imap.qq.com\"\nport = 993\nusername = \"u\"\npassword_env = \"P\"\nca_file = \"ca.pem\"\n",
    )
    .unwrap();
    let config = Config::load(&path, None).unwrap();
    assert_eq!(config.roster_path, etc.join("units.toml"));
    assert_eq!(config.data_dir, etc.join("../../var/lib/reportdesk"));
    let Inbound::Imap(imap) = &config.inbound else {
        panic!("imap expected");
    };
    assert_eq!(imap.ca_file.as_deref(), Some(etc.join("ca.pem").as_path()));
    // The shipped layout: config/reportdesk.toml names units.toml beside it, data in ../var.
    let shipped = Config::load(&shipped(), None).unwrap();
    assert_eq!(
        shipped.roster_path,
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/config/units.toml"))
    );
    assert_eq!(
        shipped.data_dir,
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/config/../var"))
    );
}

#[test]
fn outbound_pace_defaults_and_limits() {
    let office = "[office]\nname = \"x\"\naddress = \"o@example.cn\"\n";
    let config = load_text(office).unwrap();
    assert_eq!(
        config.sending,
        crate::config::Sending {
            connections: 4,
            max_per_minute: None
        }
    );
    assert_eq!(config.outbox_check_seconds, 15);
    let config = load_text(&format!(
        "{office}[outbound]\nconnections = 2\nmax_per_minute = 30\ncheck_seconds = 3600\n"
    ))
    .unwrap();
    assert_eq!(config.sending.connections, 2);
    assert_eq!(config.sending.max_per_minute, Some(30));
    assert_eq!(config.outbox_check_seconds, 3600);
    for (text, key) in [
        ("[outbound]\nconnections = 0\n", "outbound.connections"),
        ("[outbound]\nconnections = 17\n", "outbound.connections"),
        (
            "[outbound]\nmax_per_minute = 0\n",
            "outbound.max_per_minute",
        ),
        ("[inbound]\nconnections = 2\n", "inbound.connections"),
        ("[outbound]\ncheck_seconds = 0\n", "outbound.check_seconds"),
        ("[inbound]\ncheck_seconds = 60\n", "inbound.check_seconds"),
    ] {
        let err = load_text(&format!("{office}{text}")).unwrap_err();
        assert!(err.to_string().contains(key), "{text}: {err}");
    }
}

#[test]
fn the_bot_token_never_travels_in_plain_http_to_another_host() {
    let office = "[office]\nname = \"x\"\naddress = \"o@example.cn\"\n";
    let err = load_text(&format!(
        "{office}[bot]\napi_url = \"http://api.example.org\"\n"
    ))
    .unwrap_err();
    assert!(
        err.to_string().contains("bot.api_url") && err.to_string().contains("https"),
        "{err}"
    );
    for ok in [
        "https://api.example.org",
        "http://127.0.0.1:8081",
        "http://localhost:8081",
    ] {
        assert!(
            load_text(&format!("{office}[bot]\napi_url = {ok:?}\n")).is_ok(),
            "{ok}"
        );
    }
}

#[test]
fn sender_auth_is_parsed_at_load_and_defaults_to_enforce() {
    use crate::sender::Mode;
    let office = "[office]\nname = \"x\"\naddress = \"o@example.cn\"\n";
    let default = load_text(office).unwrap().intake.sender_auth;
    assert_eq!(default.mode, Mode::Enforce);
    assert!(default.dkim && !default.require_pass && default.authserv_ids.is_empty());
    let set = load_text(&format!(
        "{office}[intake.sender_auth]\nmode = \"report\"\nauthserv_ids = [\"MX.QQ.com\"]\nrequire_pass = true\n"
    ))
    .unwrap()
    .intake
    .sender_auth;
    assert_eq!(set.mode, Mode::Report);
    assert_eq!(set.authserv_ids, vec!["mx.qq.com"]);
    assert!(set.require_pass);
    let err = load_text(&format!(
        "{office}[intake.sender_auth]\nmode = \"strict\"\n"
    ))
    .unwrap_err();
    assert!(err.to_string().contains("intake.sender_auth.mode"), "{err}");
    let err = load_text(&format!(
        "{office}[intake.sender_auth]\nauthserv_ids = [\"mx.qq.com; dkim=pass\"]\n"
    ))
    .unwrap_err();
    assert!(err.to_string().contains("authserv_ids"), "{err}");
    let err = load_text(&format!(
        "{office}[intake.sender_auth.dkim_keys]\n\"s1._domainkey.example.cn\" = \"not a key\"\n"
    ))
    .unwrap_err();
    assert!(err.to_string().contains("dkim_keys"), "{err}");
}
