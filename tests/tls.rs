//! HTTPS served by Guichet itself: TLS 1.2 and 1.3 only, HTTP/2 and
//! HTTP/1.1 by ALPN, `Strict-Transport-Security`, the certificate reloaded
//! when its files change, plain HTTP redirected — checked with curl and
//! openssl against a test certificate authority made here.

mod common;

use common::{Server, TempDir, envelope11, road_incident};
use std::path::Path;
use std::process::Command;

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("openssl is needed");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A test CA (`ca.pem`) and a server certificate for 127.0.0.1 signed by
/// it, named `cn`, written as `server.pem` and `server.key`.
fn authority(dir: &Path) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=Guichet test CA",
        ],
    );
    server_certificate(dir, "first");
}

fn server_certificate(dir: &Path, cn: &str) {
    std::fs::write(
        dir.join("san.cnf"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\n",
    )
    .unwrap();
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "new.key",
            "-out",
            "server.csr",
            "-subj",
            &format!("/CN={cn}"),
        ],
    );
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "new.pem",
            "-days",
            "2",
            "-extfile",
            "san.cnf",
        ],
    );
    // Replaced by a rename each, as a renewal does.
    std::fs::rename(dir.join("new.key"), dir.join("server.key")).unwrap();
    std::fs::rename(dir.join("new.pem"), dir.join("server.pem")).unwrap();
}

/// `curl` over HTTPS trusting the test CA: (exit status, stdout, stderr).
fn curl(dir: &Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new("curl")
        .arg("--cacert")
        .arg(dir.join("ca.pem"))
        .args(["-sS", "--max-time", "10"])
        .args(args)
        .output()
        .expect("curl is needed");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn https_with_http2_and_http11_hsts_reload_and_redirect() {
    let certs = TempDir::new();
    authority(&certs.0);
    let data = TempDir::new();
    let files = guichet::config::TlsFiles {
        cert: certs.0.join("server.pem"),
        key: certs.0.join("server.key"),
    };
    let server = Server::start_tls(&data.0, files);
    let base = format!("https://127.0.0.1:{}", server.addr.port());

    // HTTP/2 by ALPN, and HTTP/1.1 for who asks it.
    let (ok, out, err) = curl(
        &certs.0,
        &[
            "--http2",
            "-o",
            "/dev/null",
            "-w",
            "%{http_version} %{http_code}",
            &format!("{base}/health"),
        ],
    );
    assert!(ok, "{err}");
    assert_eq!(out, "2 200");
    let (ok, out, err) = curl(
        &certs.0,
        &[
            "--http1.1",
            "-o",
            "/dev/null",
            "-w",
            "%{http_version} %{http_code}",
            &format!("{base}/health"),
        ],
    );
    assert!(ok, "{err}");
    assert_eq!(out, "1.1 200");
    // HEAD over HTTP/2: headers, no body (a body is a protocol error).
    let (ok, headers, err) = curl(&certs.0, &["--http2", "-I", &format!("{base}/health")]);
    assert!(ok, "{err}");
    assert!(headers.starts_with("HTTP/2 200"), "{headers}");
    assert!(headers.contains("content-length: 3"), "{headers}");
    // Strict-Transport-Security on every answer.
    let (_, headers, _) = curl(
        &certs.0,
        &[
            "--http2",
            "-D",
            "-",
            "-o",
            "/dev/null",
            &format!("{base}/demoville/"),
        ],
    );
    assert!(
        headers
            .to_ascii_lowercase()
            .contains("strict-transport-security: max-age=31536000"),
        "{headers}"
    );
    // A SOAP call over HTTP/2; the WSDL names the https endpoint.
    let envelope = envelope11(&road_incident("Durand"));
    let (ok, out, err) = curl(
        &certs.0,
        &[
            "--http2",
            "-H",
            "Content-Type: text/xml; charset=utf-8",
            "--data-binary",
            &envelope,
            &format!("{base}/demoville/soap"),
        ],
    );
    assert!(ok, "{err}");
    assert!(out.contains("<reference>"), "{out}");
    let (_, wsdl, _) = curl(
        &certs.0,
        &["--http2", &format!("{base}/demoville/soap?wsdl")],
    );
    assert!(
        wsdl.contains(&format!("location=\"{base}/demoville/soap\"")),
        "{}",
        &wsdl[wsdl.len().saturating_sub(400)..]
    );
    // TLS 1.1 is refused.
    let (ok, _, _) = curl(
        &certs.0,
        &[
            "--tlsv1.1",
            "--tls-max",
            "1.1",
            "-o",
            "/dev/null",
            &format!("{base}/health"),
        ],
    );
    assert!(!ok, "TLS 1.1 must be refused");

    // A renewed certificate is served without a restart.
    let (_, _, verbose) = curl(
        &certs.0,
        &["-v", "-o", "/dev/null", &format!("{base}/health")],
    );
    assert!(verbose.contains("CN=first"), "{verbose}");
    server_certificate(&certs.0, "renewed");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let (ok, _, verbose) = curl(
            &certs.0,
            &["-v", "-o", "/dev/null", &format!("{base}/health")],
        );
        if ok && verbose.contains("CN=renewed") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the renewed certificate is served: {verbose}"
        );
        std::thread::sleep(std::time::Duration::from_millis(300));
    }

    // Plain HTTP redirected to HTTPS, path and query kept.
    let plain = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let plain_port = plain.local_addr().unwrap().port();
    plain.set_nonblocking(true).unwrap();
    let https_port = server.addr.port();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(plain).unwrap();
            guichet::http::redirect_to_https(listener, https_port).await;
        });
    });
    let (ok, headers, err) = curl(
        &certs.0,
        &[
            "-D",
            "-",
            "-o",
            "/dev/null",
            &format!("http://127.0.0.1:{plain_port}/demoville/track?code=X"),
        ],
    );
    assert!(ok, "{err}");
    assert!(headers.starts_with("HTTP/1.1 308"), "{headers}");
    assert!(
        headers.contains(&format!(
            "location: https://127.0.0.1:{https_port}/demoville/track?code=X"
        )),
        "{headers}"
    );
}
