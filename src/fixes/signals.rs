//! The fixes of lost signals (SL007): a stored signal, registering first,
//! waiting on the condition itself.

use super::format_stmts;
use crate::diagnostic::{Fix, FixStrategy};
use quote::quote;

/// SL007 (Notify): a signal that is stored until the waiter arrives.
pub fn notify_one(notify: &str) -> Option<Fix> {
    let n = syn::parse_str::<syn::Expr>(notify).ok()?;
    let code = format_stmts(quote! { #n.notify_one(); })?;
    Some(Fix {
        strategy: FixStrategy::StoredSignal,
        title: "signal with `notify_one`, which stores a permit if the task is not waiting yet"
            .to_string(),
        code: format!("// instead of `notify_waiters()`:\n{code}"),
        ..Fix::default()
    })
}

/// SL007 (Notify with several waiters): wake every waiter for a change
/// that can satisfy several; each re-checks its condition.
pub fn notify_waiters(notify: &str) -> Option<Fix> {
    let n = syn::parse_str::<syn::Expr>(notify).ok()?;
    let code = format_stmts(quote! { #n.notify_waiters(); })?;
    Some(Fix {
        strategy: FixStrategy::WaitForCondition,
        title: "wake every waiter with `notify_waiters`: each checks its condition again and those it does not let through wait on".to_string(),
        code: format!("// instead of `notify_one()`; safe when every waiter creates its `Notified` before it checks (under the lock, or with `enable()`), since `notify_waiters` stores no permit:\n{code}"),
        ..Fix::default()
    })
}

/// SL007 (Notify): create and enable the `Notified` future before the
/// spawn, so a `notify_waiters` after the spawn reaches it.
pub fn notified_before_spawn(notify: &str) -> Option<Fix> {
    let n = syn::parse_str::<syn::Expr>(notify).ok()?;
    let code = format_stmts(quote! {
        let ready = std::sync::Arc::clone(&#n).notified_owned();
    })?;
    Some(Fix {
        strategy: FixStrategy::RegisterFirst,
        title: "or register for the signal before the task can miss it: an owned `Notified` created before the spawn".to_string(),
        code: format!(
            "// when `{notify}` is an `Arc<Notify>` (tokio 1.47 or later has `notified_owned`): create the future before spawning and move it in\n{code}\n// in the task: `ready.await;` in place of `{notify}.notified().await`"
        ),
        ..Fix::default()
    })
}

/// SL007 (Notify, a function's own wait): create the `Notified` and
/// `enable()` it before checking the condition, so a `notify_waiters`
/// after the check reaches it.
pub fn notified_before_check(notify: &str) -> Option<Fix> {
    syn::parse_str::<syn::Expr>(notify).ok()?;
    Some(Fix {
        strategy: FixStrategy::RegisterFirst,
        title: "or register for the signal before checking the condition: create the `Notified` and `enable()` it first".to_string(),
        code: format!(
            "let mut notified = std::pin::pin!({notify}.notified());\nnotified.as_mut().enable();\n// then check the condition, and wait with `notified.await`"
        ),
        ..Fix::default()
    })
}

/// SL007 (Condvar): the `wait_while` rewrite of a `cvar.wait(guard)` call,
/// from the call's text and, when the wait sits under `if <cond>`, that
/// condition (`!*ready`, `state.status != Status::Ready`): the closure
/// takes the guard's name, so the condition reads as written whatever the
/// guarded type is. Without one the condition is left for the user to
/// write, never guessed.
pub fn condvar_wait_while_for(call_text: &str, cond: Option<&str>) -> Option<Fix> {
    let call: syn::ExprMethodCall = syn::parse_str(call_text).ok()?;
    let recv = &call.receiver;
    let cvar = format_stmts(quote!(#recv;))?;
    let cvar = cvar.trim_end_matches(';');
    let guard = match call.args.first()? {
        syn::Expr::Path(p) => p.path.get_ident()?.to_string(),
        _ => return None,
    };
    let (code, placeholder) = match cond {
        Some(cond) => (
            format!("let {guard} = {cvar}.wait_while({guard}, |{guard}| {}).unwrap();", cond.trim()),
            false,
        ),
        None => (
            format!("// the closure returns true while the state is not ready yet: write the condition the code goes on with\nlet {guard} = {cvar}.wait_while({guard}, |{guard}| /* not ready yet */).unwrap();"),
            true,
        ),
    };
    Some(Fix {
        strategy: FixStrategy::WaitForCondition,
        title: if placeholder {
            "wait until the condition holds (`wait_while`, with the condition this code waits for), which re-checks it under the lock and returns at once if the signal came first".to_string()
        } else {
            "wait until the condition holds (`wait_while`), which re-checks it under the lock and returns at once if the signal came first".to_string()
        },
        code,
        ..Fix::default()
    })
}

/// SL007 (Condvar): the `if` around the wait becomes a `while`, so the
/// condition is re-checked after every wakeup; `if_text` is the `if`
/// statement as written.
pub fn condvar_while_loop(if_text: &str) -> Fix {
    let code = match if_text.trim_start().strip_prefix("if ") {
        Some(rest) => format!("while {rest}"),
        None => if_text.to_string(),
    };
    Fix {
        strategy: FixStrategy::WaitForCondition,
        title: "re-check the condition after every wakeup: `while` instead of `if`".to_string(),
        code,
        ..Fix::default()
    }
}

/// SL007 (watch): count the value already sent as unseen, so the first
/// `changed()` returns with it.
pub fn watch_mark_changed(rx: &str) -> Fix {
    Fix {
        strategy: FixStrategy::WaitForCondition,
        title: format!(
            "mark the current value as unseen right after subscribing, so the first `{rx}.changed()` sees it"
        ),
        code: format!("{rx}.mark_changed();"),
        ..Fix::default()
    }
}

/// SL007 (watch): wait for the value, which also sees one sent before.
///
/// What the value must be is the user's to write: the watched type is not
/// known here, so the condition is a marked placeholder, never a guess.
pub fn watch_wait_for(rx: &str) -> Option<Fix> {
    if !rx.chars().all(|c| c.is_alphanumeric() || c == '_') || rx.is_empty() {
        return None;
    }
    Some(Fix {
        strategy: FixStrategy::WaitForCondition,
        title: "wait for the value with `wait_for`, which checks the current value first"
            .to_string(),
        code: format!(
            "// the closure returns true for the value the code waits for\nlet value = {rx}.wait_for(|value| /* ready? */).await;"
        ),
        ..Fix::default()
    })
}

/// SL007 (`AtomicWaker`): register the waker before checking, the order
/// `AtomicWaker` documents, or check again after registering. `register`
/// is the user's call as written (`self.inner.read_waker.register(cx.waker())`).
pub fn waker_register_first(register: &str) -> Option<Fix> {
    syn::parse_str::<syn::Expr>(register).ok()?;
    Some(Fix {
        strategy: FixStrategy::RegisterFirst,
        title: "register the waker before checking the condition, then check: a wake after the registration reaches this task".to_string(),
        code: format!(
            "// first, at the start of the poll function:\n{register};\n// then check the condition and return `Poll::Ready` if it holds, else `Poll::Pending`\n// (or keep the order and check the condition again right after registering)"
        ),
        ..Fix::default()
    })
}

/// SL007 (Condvar): notify with the waiter's mutex held. `notify` is the
/// user's call as written (`self.changed.notify_all()`), `condvar` and
/// `mutex` the two last names; the lock is the notify's receiver with the
/// condvar's name swapped for the mutex's (they are usually siblings).
pub fn notify_under_lock(notify: &str, condvar: &str, mutex: &str) -> Option<Fix> {
    let call: syn::ExprMethodCall = syn::parse_str(notify).ok()?;
    let recv = format_stmts(quote! { #call; })?;
    let recv = recv.trim_end().trim_end_matches(';');
    let (base, _) = recv.rsplit_once(&format!(".{}", call.method))?;
    let lock = match base.strip_suffix(condvar) {
        Some(prefix) => format!("{prefix}{mutex}"),
        None => mutex.to_string(),
    };
    Some(Fix {
        strategy: FixStrategy::RegisterFirst,
        title: format!("notify with `{mutex}` held, so the notification cannot fall between the waiter's check and its wait"),
        code: format!(
            "{{\n    let _held = {lock}.lock(); // the waiter's mutex (add `.unwrap()` for std's)\n    {recv};\n}}"
        ),
        ..Fix::default()
    })
}
