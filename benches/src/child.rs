//! A benchmark binary as two processes: the parent spawns the same binary as a child (the
//! server) and the two talk in lines of text, `<key> <value>`, over the child's stdin and
//! stdout.
//!
//! The child ends when its stdin does, so it cannot outlive its parent; the parent waits for
//! it a bounded time, then kills it.

use std::ffi::OsStr;
use std::io;
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines, Stdin};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

/// How long a side waits for the other's next line, or the parent for the child to exit:
/// 120 s.
pub const LINE_TIMEOUT: Duration = Duration::from_secs(120);

/// The parent's end: the child process, its stdin to send lines to, its stdout to read lines
/// from.
#[derive(Debug)]
pub struct ChildProcess {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: Lines<BufReader<ChildStdout>>,
}

impl ChildProcess {
    /// Spawns this binary with `args`; its stderr is this process's.
    pub fn spawn<I, S>(args: I) -> io::Result<Self>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut child = Command::new(std::env::current_exe()?)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()?;
        let stdin = child.stdin.take();
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| io::Error::other("the child has no stdout"))?;
        Ok(Self {
            child,
            stdin,
            stdout: BufReader::new(stdout).lines(),
        })
    }

    /// Sends the line `<key> <value>` to the child.
    pub async fn send(&mut self, key: &str, value: impl std::fmt::Display) -> io::Result<()> {
        let stdin = self
            .stdin
            .as_mut()
            .ok_or_else(|| io::Error::other("the child's stdin is closed"))?;
        stdin
            .write_all(format!("{key} {value}\n").as_bytes())
            .await?;
        stdin.flush().await
    }

    /// Reads the child's next line, which must be `<key> <value>`, and returns the value.
    pub async fn expect(&mut self, key: &str) -> io::Result<String> {
        let line = tokio::time::timeout(LINE_TIMEOUT, self.stdout.next_line())
            .await
            .map_err(|_| io::Error::other(format!("the child did not say {key:?} in time")))??
            .ok_or_else(|| io::Error::other(format!("the child ended before saying {key:?}")))?;
        value_of(&line, key)
            .map(str::to_owned)
            .ok_or_else(|| io::Error::other(format!("expected {key:?} from the child: {line:?}")))
    }

    /// Closes the child's stdin, which tells it to exit, and waits for it; kills it if it has
    /// not exited within [`LINE_TIMEOUT`].
    pub async fn finish(mut self) -> io::Result<ExitStatus> {
        self.stdin = None;
        match tokio::time::timeout(LINE_TIMEOUT, self.child.wait()).await {
            Ok(status) => status,
            Err(_) => {
                self.child.kill().await?;
                Err(io::Error::other("the child did not exit in time: killed"))
            }
        }
    }
}

/// The child's end: lines from the parent on stdin, lines to it on stdout.
#[derive(Debug)]
pub struct Parent {
    stdin: Lines<BufReader<Stdin>>,
}

impl Default for Parent {
    fn default() -> Self {
        Self::new()
    }
}

impl Parent {
    /// The parent of this process, on its stdin and stdout.
    pub fn new() -> Self {
        Self {
            stdin: BufReader::new(tokio::io::stdin()).lines(),
        }
    }

    /// Sends the line `<key> <value>` to the parent.
    pub fn say(&self, key: &str, value: impl std::fmt::Display) {
        println!("{key} {value}");
    }

    /// The parent's next line, split into key and value; `None` once the parent has closed
    /// stdin (it is done, or gone).
    pub async fn next(&mut self) -> io::Result<Option<(String, String)>> {
        Ok(self.stdin.next_line().await?.map(|line| {
            let (key, value) = line.split_once(' ').unwrap_or((&line, ""));
            (key.to_owned(), value.to_owned())
        }))
    }
}

fn value_of<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    line.strip_prefix(key)?.strip_prefix(' ')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_follows_its_key_and_one_space() {
        assert_eq!(value_of("port 4242", "port"), Some("4242"));
        assert_eq!(value_of("portable 1", "port"), None);
        assert_eq!(value_of("cpu 0.5", "port"), None);
    }
}
