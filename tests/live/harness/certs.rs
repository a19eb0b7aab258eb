//! The stack's test PKI: a CA and one server certificate signed by it (CA:FALSE, serverAuth,
//! SAN localhost and 127.0.0.1), shared by Dovecot and the SMTP server. rustls refuses a
//! self-signed end-entity certificate, hence the two levels.

use std::fs;
use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};

/// PEM files written by `write_test_pki`.
pub struct TestPki {
    pub ca_cert: PathBuf,
    pub server_cert: PathBuf,
    pub server_key: PathBuf,
}

/// Generates a fresh CA and server certificate into `dir` (created). The key is a throwaway
/// test key, so its file mode does not matter.
pub fn write_test_pki(dir: &Path) -> TestPki {
    super::system::make_dir(dir);
    let (ca_pem, issuer) = new_ca();
    let (server_pem, server_key_pem) = new_server_cert(&issuer);
    let pki = TestPki {
        ca_cert: dir.join("ca.pem"),
        server_cert: dir.join("server.pem"),
        server_key: dir.join("server.key"),
    };
    for (path, text) in [
        (&pki.ca_cert, &ca_pem),
        (&pki.server_cert, &server_pem),
        (&pki.server_key, &server_key_pem),
    ] {
        fs::write(path, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    }
    pki
}

fn new_ca() -> (String, Issuer<'static, KeyPair>) {
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("no SAN is valid");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(DnType::CommonName, "reportdesk test CA");
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let key = KeyPair::generate().expect("ECDSA key generation");
    let cert = params.self_signed(&key).expect("self-signed CA");
    (cert.pem(), Issuer::new(params, key))
}

fn new_server_cert(issuer: &Issuer<'static, KeyPair>) -> (String, String) {
    let names = vec!["localhost".to_string(), "127.0.0.1".to_string()];
    let mut params = CertificateParams::new(names).expect("valid SANs");
    params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    params.is_ca = IsCa::ExplicitNoCa;
    params.use_authority_key_identifier_extension = true;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let key = KeyPair::generate().expect("ECDSA key generation");
    let cert = params.signed_by(&key, issuer).expect("server certificate");
    (cert.pem(), key.serialize_pem())
}
