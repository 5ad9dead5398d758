//! The motivating service spawning through a helper whose task is its second
//! argument, `my_rt::spawn_named(name, task)`: found only when the
//! configuration says so, `extend-spawners = [{ path = "my_rt::spawn_named",
//! task-arg = 2 }]`. Test data for tests/config.rs.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub struct MetricsHub {
    gauges: Mutex<Option<HashMap<String, f64>>>,
    exported: Mutex<Vec<(String, f64)>>,
    interval: Duration,
}

impl MetricsHub {
    pub fn new() -> Arc<Self> {
        let hub = Arc::new(Self {
            gauges: Mutex::new(None),
            exported: Mutex::new(Vec::new()),
            interval: Duration::from_secs(10),
        });
        let me = Arc::clone(&hub);
        my_rt::spawn_named("collector", async move { me.collect_loop().await });
        hub
    }

    async fn collect_loop(&self) {
        let mut ticker = tokio::time::interval(self.interval);
        loop {
            ticker.tick().await;
            self.collect();
        }
    }

    fn collect(&self) {
        let guard = self.gauges.lock().unwrap();
        let gauges = guard.as_ref().unwrap();
        let mut exported = self.exported.lock().unwrap();
        for (name, value) in gauges {
            exported.push((name.clone(), *value));
        }
    }

    pub fn load(&self, table: HashMap<String, f64>) {
        *self.gauges.lock().unwrap() = Some(table);
    }

    pub fn exported(&self) -> usize {
        self.exported.lock().unwrap().len()
    }
}
