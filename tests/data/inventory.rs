use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::thread;
use std::time::Duration;

pub struct Inventory {
    stock: Arc<RwLock<HashMap<String, u32>>>,
}

impl Inventory {
    pub fn new() -> Self {
        let stock = Arc::new(RwLock::new(HashMap::new()));
        let watched = Arc::clone(&stock);
        thread::spawn(move || loop {
            let low = watched.read().unwrap()["widget"] < 10;
            if low {
                eprintln!("restock widgets");
            }
            thread::sleep(Duration::from_secs(60));
        });
        Self { stock }
    }

    pub fn load(&self, counts: HashMap<String, u32>) {
        self.stock.write().unwrap().extend(counts);
    }
}
