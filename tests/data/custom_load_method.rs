//! `hydrate_limits` fills what the thread reads: a load-like method only with
//! `extend-load-methods = ["hydrate_*"]`. Test data for tests/config.rs.
use std::sync::{Arc, Mutex};

pub struct Limiter {
    limits: Arc<Mutex<Vec<u32>>>,
}

impl Limiter {
    pub fn new() -> Self {
        let limits = Arc::new(Mutex::new(Vec::new()));
        let task_limits = Arc::clone(&limits);
        std::thread::spawn(move || loop {
            let total: u32 = task_limits.lock().unwrap().iter().sum();
            println!("{total}");
            std::thread::sleep(std::time::Duration::from_secs(1));
        });
        Self { limits }
    }

    pub fn hydrate_limits(&self, from: Vec<u32>) {
        self.limits.lock().unwrap().extend(from);
    }
}
