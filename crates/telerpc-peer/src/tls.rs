//! TLS with rustls (its `ring` provider): loading PEM files into an acceptor or a connector
//! for [`PeerConfig`](crate::PeerConfig), and the server name a dial verifies.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{ClientConfig, RootCertStore, ServerConfig};
use tokio_rustls::{TlsAcceptor, TlsConnector};

use crate::NetAddr;

/// Why TLS material could not be loaded or a TLS config built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// A PEM file could not be read or parsed.
    #[error("reading PEM file {path}: {source}", path = path.display())]
    Pem {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        #[source]
        source: pem::Error,
    },
    /// A PEM file holds no certificate.
    #[error("{path} holds no certificate", path = path.display())]
    NoCertificate {
        /// The file.
        path: PathBuf,
    },
    /// A certificate of a root file is not usable as a trust anchor.
    #[error("a certificate in {path} is not a usable root: {source}", path = path.display())]
    Root {
        /// The file.
        path: PathBuf,
        /// What rustls made of it.
        #[source]
        source: rustls::Error,
    },
    /// rustls refused the config: a key that does not match the certificate, say.
    #[error("building the TLS config: {0}")]
    Config(#[from] rustls::Error),
}

/// The crypto provider of every config this crate builds: rustls' `ring` provider (it builds
/// with a C compiler alone, without cmake or nasm).
pub fn crypto_provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Every certificate of the PEM file at `path`, in order: a certificate chain, the end
/// entity first. Fails when the file cannot be read or parsed, or holds no certificate.
pub fn load_cert_chain(path: impl AsRef<Path>) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let path = path.as_ref();
    let pem_error = |source| TlsError::Pem {
        path: path.to_owned(),
        source,
    };
    let chain = CertificateDer::pem_file_iter(path)
        .map_err(pem_error)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(pem_error)?;
    if chain.is_empty() {
        return Err(TlsError::NoCertificate {
            path: path.to_owned(),
        });
    }
    Ok(chain)
}

/// The first private key (PKCS #8, PKCS #1 or SEC1) of the PEM file at `path`.
pub fn load_private_key(path: impl AsRef<Path>) -> Result<PrivateKeyDer<'static>, TlsError> {
    let path = path.as_ref();
    PrivateKeyDer::from_pem_file(path).map_err(|source| TlsError::Pem {
        path: path.to_owned(),
        source,
    })
}

/// A root store trusting every certificate of the PEM file at `path`.
pub fn load_root_store(path: impl AsRef<Path>) -> Result<RootCertStore, TlsError> {
    let path = path.as_ref();
    let mut roots = RootCertStore::empty();
    for certificate in load_cert_chain(path)? {
        roots.add(certificate).map_err(|source| TlsError::Root {
            path: path.to_owned(),
            source,
        })?;
    }
    Ok(roots)
}

/// An acceptor presenting the certificate chain of the PEM file `cert_chain` with the private
/// key of the PEM file `private_key`, for [`PeerConfig::with_tls_acceptor`]: TLS 1.2 and 1.3,
/// no client authentication.
///
/// [`PeerConfig::with_tls_acceptor`]: crate::PeerConfig::with_tls_acceptor
pub fn acceptor_from_pem(
    cert_chain: impl AsRef<Path>,
    private_key: impl AsRef<Path>,
) -> Result<TlsAcceptor, TlsError> {
    let config = ServerConfig::builder_with_provider(crypto_provider())
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(load_cert_chain(cert_chain)?, load_private_key(private_key)?)?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// A connector trusting the roots of the PEM file `roots`, for
/// [`PeerConfig::with_tls_connector`]: TLS 1.2 and 1.3, no client certificate.
///
/// [`PeerConfig::with_tls_connector`]: crate::PeerConfig::with_tls_connector
pub fn connector_from_pem(roots: impl AsRef<Path>) -> Result<TlsConnector, TlsError> {
    let config = ClientConfig::builder_with_provider(crypto_provider())
        .with_safe_default_protocol_versions()?
        .with_root_certificates(load_root_store(roots)?)
        .with_no_client_auth();
    Ok(TlsConnector::from(Arc::new(config)))
}

/// The name a dial to `addr` verifies the server's certificate against: `configured` if set,
/// else the address's host (a DNS name or an IP address). `None` when neither gives one (a
/// Unix address without a configured name).
pub(crate) fn server_name(
    addr: &NetAddr,
    configured: Option<&ServerName<'static>>,
) -> Option<ServerName<'static>> {
    if let Some(name) = configured {
        return Some(name.clone());
    }
    ServerName::try_from(addr.host()?)
        .ok()
        .map(|name| name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_server_by_its_host() {
        let ip = server_name(&NetAddr::tcp("127.0.0.1:1"), None).unwrap();
        assert!(matches!(ip, ServerName::IpAddress(_)));
        let v6 = server_name(&NetAddr::tcp6("[::1]:1"), None).unwrap();
        assert!(matches!(v6, ServerName::IpAddress(_)));
        let dns = server_name(&NetAddr::tcp("localhost:1"), None).unwrap();
        assert_eq!(dns, ServerName::try_from("localhost").unwrap());
        assert!(server_name(&NetAddr::unix("/tmp/x.sock"), None).is_none());
        let configured = ServerName::try_from("example.com").unwrap();
        assert_eq!(
            server_name(&NetAddr::unix("/tmp/x.sock"), Some(&configured)),
            Some(configured)
        );
    }

    #[test]
    fn reports_missing_files_and_empty_ones() {
        let missing = std::env::temp_dir().join("telerpc-peer-no-such-file.pem");
        assert!(matches!(
            load_cert_chain(&missing),
            Err(TlsError::Pem { .. })
        ));
        let empty =
            std::env::temp_dir().join(format!("telerpc-peer-empty-{}.pem", std::process::id()));
        std::fs::write(&empty, "no PEM here\n").unwrap();
        assert!(matches!(
            load_cert_chain(&empty),
            Err(TlsError::NoCertificate { .. })
        ));
        assert!(matches!(
            load_private_key(&empty),
            Err(TlsError::Pem { .. })
        ));
        std::fs::remove_file(&empty).unwrap();
    }
}
