//! A real SMTP server on loopback for the notification tests: `tests/smtp/sink.py` (Python's
//! aiosmtpd), started per test and stopped when the [`Sink`] is dropped. Shared by the core,
//! server and command-line tests (`#[path]`). Without python3 and aiosmtpd the test fails,
//! saying so in one line: `.ci/run` installs aiosmtpd.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub struct Sink {
    child: Child,
    pub port: u16,
    dir: PathBuf,
}

impl Sink {
    pub fn start() -> Sink {
        let script = Path::new(env!("CARGO_MANIFEST_DIR"))
            .ancestors()
            .map(|p| p.join("tests/smtp/sink.py"))
            .find(|p| p.exists())
            .expect("tests/smtp/sink.py is in the workspace");
        let dir = std::env::temp_dir().join(format!(
            "booksygo-smtp-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let mut child = Command::new("python3")
            .arg(&script)
            .arg(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("the SMTP tests need python3 with aiosmtpd (pip install aiosmtpd; .ci/run does): {e}"));
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .strip_prefix("PORT ")
            .and_then(|p| p.trim().parse().ok())
            .unwrap_or_else(|| {
                panic!("the SMTP tests need python3 with aiosmtpd (pip install aiosmtpd; .ci/run does): the sink did not start")
            });
        Sink { child, port, dir }
    }

    /// `smtp://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message accepted so far, oldest first, as Python's MIME parser read it.
    pub fn messages(&self) -> Vec<serde_json::Value> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        names.sort();
        names
            .iter()
            .map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap())
            .collect()
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
