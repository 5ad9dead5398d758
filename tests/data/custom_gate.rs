//! A task gated on a project's own latch: quiet only with
//! `extend-gates = ["wait_ready"]`. Test data for tests/config.rs.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub struct Hub {
    gauges: Mutex<Option<HashMap<String, f64>>>,
    ready: Latch,
}

impl Hub {
    pub fn new() -> Arc<Self> {
        let hub = Arc::new(Self {
            gauges: Mutex::new(None),
            ready: Latch::default(),
        });
        let me = Arc::clone(&hub);
        tokio::spawn(async move {
            me.ready.wait_ready().await;
            let guard = me.gauges.lock().unwrap();
            let gauges = guard.as_ref().unwrap();
            println!("{}", gauges.len());
        });
        hub
    }

    pub fn load(&self, table: HashMap<String, f64>) {
        *self.gauges.lock().unwrap() = Some(table);
        self.ready.open();
    }
}
