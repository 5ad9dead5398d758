//! A wait SL007 finds lossy (checked, then `notified()` with
//! `notify_waiters` as the signal) that is also one of several waiters
//! woken by a single `notify_one` is reported once, as the lost signal,
//! without a note claiming that the same spawn is reached from elsewhere.

use assert_cmd::Command;

mod common;

const LANES: &str = r#"
use std::sync::Mutex;
use tokio::sync::Notify;

pub struct Lanes {
    closed: Mutex<bool>,
    freed: Notify,
}

impl Lanes {
    pub async fn open_lane(&self) -> Option<u64> {
        loop {
            if *self.closed.lock().unwrap() {
                return None;
            }
            self.freed.notified().await;
        }
    }

    pub fn grant(&self) {
        self.freed.notify_one();
    }

    pub fn shutdown(&self) {
        *self.closed.lock().unwrap() = true;
        self.freed.notify_waiters();
    }
}
"#;

#[test]
fn a_lossy_wait_is_not_reported_again_as_a_single_wake() {
    let dir = common::tempdir("lossy-gate-overlap");
    std::fs::write(dir.join("lanes.rs"), LANES).unwrap();
    let out = Command::cargo_bin("cargo-spawnlint")
        .unwrap()
        .arg(&dir)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let found = doc["diagnostics"].as_array().unwrap();
    assert_eq!(found.len(), 1, "{doc}");
    let d = &found[0];
    assert_eq!(d["code"], "SL007");
    assert_eq!(
        d["severity"], "error",
        "the lost signal, not the single wake"
    );
    let notes = d["notes"].to_string();
    assert!(!notes.contains("same spawn"), "{notes}");
}
