//! Panic isolation shared by the stages: a panic while parsing one file,
//! analyzing one function or running one rule is caught where that unit
//! of work starts and reported with its message, so a bug of ours costs
//! that unit's findings and never the run.

use std::panic::{catch_unwind, AssertUnwindSafe};

/// Run `work`; a panic becomes `Err` with its message.
///
/// The work's state is dropped with it: callers discard a unit that
/// panicked instead of reading what it left half done, which is why
/// asserting unwind safety is sound here.
pub fn catch<T>(work: impl FnOnce() -> T) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(work)).map_err(|p| panic_message(p.as_ref()))
}

/// The message a panic was raised with (`panic!("…")` payloads are a
/// `&str` or a `String`).
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_panic_becomes_its_message() {
        let quiet = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let n = 3;
        let got = super::catch(|| -> u8 { panic!("bad {n}") });
        let got_str = super::catch(|| -> u8 { panic!("plain") });
        std::panic::set_hook(quiet);
        assert_eq!(got, Err("bad 3".to_string()));
        assert_eq!(got_str, Err("plain".to_string()));
        assert_eq!(super::catch(|| 7), Ok(7));
    }
}
