//! HTTPS: rustls with TLS 1.2 and 1.3 only, HTTP/2 and HTTP/1.1 offered by
//! ALPN, the certificate read from PEM files and reloaded when they change
//! (a renewal by certbot or the like needs no restart; a broken new file
//! keeps the old certificate, said in the log).

use crate::config::TlsFiles;
use arc_swap::ArcSwap;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

/// The served certificate, swapped when its files change.
#[derive(Debug)]
pub struct Certificates {
    files: TlsFiles,
    provider: Arc<CryptoProvider>,
    current: ArcSwap<CertifiedKey>,
    /// Modification times of the files last loaded.
    stamps: Mutex<(Option<SystemTime>, Option<SystemTime>)>,
}

fn stamp(path: &std::path::Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn load(files: &TlsFiles, provider: &CryptoProvider) -> Result<CertifiedKey, String> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&files.cert)
        .map_err(|e| format!("{}: {e}", files.cert.display()))?
        .collect::<Result<_, _>>()
        .map_err(|e| format!("{}: {e}", files.cert.display()))?;
    if chain.is_empty() {
        return Err(format!("{}: no certificate in it", files.cert.display()));
    }
    let key = PrivateKeyDer::from_pem_file(&files.key)
        .map_err(|e| format!("{}: {e}", files.key.display()))?;
    let signing = provider
        .key_provider
        .load_private_key(key)
        .map_err(|e| format!("{}: {e}", files.key.display()))?;
    let certified = CertifiedKey::new(chain, signing);
    certified
        .keys_match()
        .map_err(|e| format!("{} and {}: {e}", files.cert.display(), files.key.display()))?;
    Ok(certified)
}

impl Certificates {
    /// Reads the files once; an error says which file and why.
    pub fn load(files: TlsFiles) -> Result<Arc<Certificates>, String> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let first = load(&files, &provider)?;
        let stamps = (stamp(&files.cert), stamp(&files.key));
        Ok(Arc::new(Certificates {
            files,
            provider,
            current: ArcSwap::from_pointee(first),
            stamps: Mutex::new(stamps),
        }))
    }

    /// Loads the files again if either changed; keeps the current
    /// certificate when the new one does not load.
    pub fn reload_if_changed(&self) {
        let now = (stamp(&self.files.cert), stamp(&self.files.key));
        let mut stamps = self.stamps.lock().expect("stamps lock");
        if *stamps == now {
            return;
        }
        match load(&self.files, &self.provider) {
            Ok(certified) => {
                self.current.store(Arc::new(certified));
                *stamps = now;
                tracing::info!(cert = %self.files.cert.display(), "TLS certificate reloaded");
            }
            // Tried again at the next look: a renewal may write the
            // certificate and its key one after the other.
            Err(e) => {
                tracing::warn!(error = %e, "new TLS certificate refused; keeping the current one")
            }
        }
    }

    /// The rustls server configuration: TLS 1.2 and 1.3, no client
    /// certificate, `h2` then `http/1.1` by ALPN.
    pub fn server_config(self: &Arc<Self>) -> Result<Arc<rustls::ServerConfig>, String> {
        let mut config = rustls::ServerConfig::builder_with_provider(Arc::clone(&self.provider))
            .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
            .map_err(|e| e.to_string())?
            .with_no_client_auth()
            .with_cert_resolver(Arc::clone(self) as Arc<dyn ResolvesServerCert>);
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }
}

impl ResolvesServerCert for Certificates {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.current.load_full())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_or_empty_file_is_named() {
        let dir = std::env::temp_dir().join(format!("guichet-tls-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let files = TlsFiles {
            cert: dir.join("none.pem"),
            key: dir.join("none.key"),
        };
        let e = Certificates::load(files.clone()).unwrap_err();
        assert!(e.contains("none.pem"), "{e}");
        std::fs::write(&files.cert, "not a certificate\n").unwrap();
        let e = Certificates::load(files).unwrap_err();
        assert!(e.contains("no certificate"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
