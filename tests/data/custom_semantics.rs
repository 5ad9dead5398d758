use std::sync::{Arc, Mutex};

/// The crate's own way to insist a value is there: panics on `None`.
trait Must<T> {
    fn must(self) -> T;
}

impl<T> Must<T> for Option<T> {
    fn must(self) -> T {
        self.expect("the table is set")
    }
}

pub struct Feed {
    table: Arc<Mutex<Option<u32>>>,
}

impl Feed {
    pub fn new() -> Self {
        let table = Arc::new(Mutex::new(None));
        let t = table.clone();
        std::thread::spawn(move || {
            let v = (*t.lock().unwrap()).must();
            println!("{v}");
        });
        Feed { table }
    }

    pub fn set_table(&self, v: u32) {
        *self.table.lock().unwrap() = Some(v);
    }
}
