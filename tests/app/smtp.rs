//! A real SMTP server for the tests: aiosmtpd (Debian `python3-aiosmtpd`, or `pip install
//! aiosmtpd`) on a free loopback port, delivering into a Maildir the test reads.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use mail_parser::MessageParser;

/// A Python that has aiosmtpd: Debian's module is for /usr/bin/python3, which may not be the
/// `python3` first on the PATH.
fn python() -> &'static str {
    static FOUND: OnceLock<String> = OnceLock::new();
    FOUND.get_or_init(|| {
        ["/usr/bin/python3", "python3"]
            .into_iter()
            .find(|python| {
                Command::new(python)
                    .args(["-c", "import aiosmtpd"])
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status()
                    .is_ok_and(|s| s.success())
            })
            .expect(
                "the mail tests need a real SMTP server: install aiosmtpd \
                 (apt-get install python3-aiosmtpd, or pip install aiosmtpd; .ci/run does it)",
            )
            .to_owned()
    })
}

/// An SMTP server on a port of its own; started at once or later (to be down at first).
pub struct SmtpServer {
    pub port: u16,
    child: Option<Child>,
    maildir: tempfile::TempDir,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.down();
    }
}

/// One received mail, parsed.
#[derive(Debug, Clone)]
pub struct Received {
    /// The Subject header as it travelled (encoded words for anything beyond ASCII).
    pub raw_subject: String,
    pub subject: String,
    pub to_name: String,
    pub to: String,
    pub from: String,
    pub message_id: String,
    pub text: String,
    pub html: String,
}

impl SmtpServer {
    /// A server that is not running yet: its URL refuses connections until `up()`.
    pub fn down_at_first() -> SmtpServer {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        SmtpServer {
            port,
            child: None,
            maildir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn start() -> SmtpServer {
        let mut server = SmtpServer::down_at_first();
        server.up();
        server
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Starts the server and waits until it accepts connections; fails the test if it cannot.
    pub fn up(&mut self) {
        let mut child = Command::new(python())
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{}", self.port))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(self.maildir.path().join("mail"))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("aiosmtpd starts");
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            if let Ok(Some(status)) = child.try_wait() {
                let mut stderr = String::new();
                if let Some(mut pipe) = child.stderr.take() {
                    let _ = std::io::Read::read_to_string(&mut pipe, &mut stderr);
                }
                panic!("the SMTP server (aiosmtpd) exited with {status}: {stderr}");
            }
            assert!(
                started.elapsed() < Duration::from_secs(15),
                "the SMTP server (aiosmtpd) did not accept connections on port {} within 15 s",
                self.port
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        self.child = Some(child);
    }

    pub fn down(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn files(&self) -> Vec<PathBuf> {
        let mut files = Vec::new();
        for folder in ["new", "cur"] {
            let dir = self.maildir.path().join("mail").join(folder);
            if let Ok(entries) = std::fs::read_dir(&dir) {
                files.extend(entries.filter_map(Result::ok).map(|e| e.path()));
            }
        }
        files.sort();
        files
    }

    /// Every mail received so far.
    pub fn received(&self) -> Vec<Received> {
        self.files().iter().map(|path| parse(path)).collect()
    }

    /// Waits until at least `count` mails have arrived (at most 30 s), then returns them all.
    pub async fn wait_for(&self, count: usize) -> Vec<Received> {
        let started = Instant::now();
        loop {
            let received = self.received();
            if received.len() >= count {
                return received;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "expected {count} mails, received {}: {:?}",
                received.len(),
                received.iter().map(|m| &m.subject).collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits for `count` mails, then long enough for any further (wrong) mail to arrive,
    /// and returns everything received.
    pub async fn settled(&self, count: usize) -> Vec<Received> {
        self.wait_for(count).await;
        tokio::time::sleep(Duration::from_millis(2500)).await;
        self.received()
    }
}

fn parse(path: &Path) -> Received {
    let raw = std::fs::read(path).unwrap();
    let message = MessageParser::default()
        .parse(&raw)
        .unwrap_or_else(|| panic!("{} is a mail", path.display()));
    let to = message.to().and_then(|to| to.first());
    Received {
        raw_subject: message
            .header_raw("Subject")
            .unwrap_or_default()
            .trim()
            .to_owned(),
        subject: message.subject().unwrap_or_default().to_owned(),
        to_name: to.and_then(|a| a.name()).unwrap_or_default().to_owned(),
        to: to.and_then(|a| a.address()).unwrap_or_default().to_owned(),
        from: message
            .from()
            .and_then(|f| f.first())
            .and_then(|a| a.address())
            .unwrap_or_default()
            .to_owned(),
        message_id: message.message_id().unwrap_or_default().to_owned(),
        text: message.body_text(0).unwrap_or_default().into_owned(),
        html: message.body_html(0).unwrap_or_default().into_owned(),
    }
}

impl Received {
    /// The path of the first link in the text that starts with `base` and then `prefix`.
    pub fn link(&self, base: &str, prefix: &str) -> String {
        let start = self
            .text
            .find(&format!("{base}{prefix}"))
            .unwrap_or_else(|| panic!("no {prefix} link in: {}", self.text))
            + base.len();
        self.text[start..]
            .split_whitespace()
            .next()
            .unwrap()
            .to_owned()
    }
}
