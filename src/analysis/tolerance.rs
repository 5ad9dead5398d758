//! Tolerance that loses work: a task that received a message and, on the
//! path where the state is missing, drops it (`None => continue`, an
//! `else` that never mentions the message). That is SL002's lossy
//! tolerance; the interpreter asks these questions where a tolerant access
//! happens.

use super::value::{Binding, Val};
use crate::facts::{Arm, Expr};
use crate::source::Span;

/// Names in scope bound to a message the task received.
fn messages<'a>(env: &'a [Binding<'_>]) -> impl Iterator<Item = &'a str> {
    env.iter()
        .filter(|b| matches!(b.val, Val::Message))
        .map(|b| b.name.as_str())
}

/// Whether a received message is used on the path that has the state
/// (`kept`) but not on the path that lacks it (`dropped`).
pub(super) fn drops_message(
    env: &[Binding<'_>],
    kept: impl Fn(&str) -> bool,
    dropped: impl Fn(&str) -> bool,
) -> bool {
    messages(env).any(|m| kept(m) && !dropped(m))
}

/// Where a `match` on the state drops a received message: an arm that
/// does not use a message another arm uses, or, when the lookup is keyed
/// by the message (`map.get(&job.kind)`), an arm that skips it (`None =>
/// continue`). `Some(span)` of that arm's body (`None` inside when the
/// body has no span of its own).
pub(super) fn lossy_arm(
    env: &[Binding<'_>],
    scrutinee: &Expr,
    arms: &[Arm],
) -> Option<Option<Span>> {
    let skipped = messages(env).find_map(|m| {
        if !scrutinee.mentions(m) {
            return None;
        }
        let skipping = arms
            .iter()
            .find(|a| matches!(a.body, Expr::Jump { .. }) && !a.body.mentions(m))?;
        Some(skipping.body.span())
    });
    if skipped.is_some() {
        return skipped;
    }
    messages(env).find_map(|m| {
        if !arms.iter().any(|a| a.body.mentions(m)) {
            return None;
        }
        let dropping = arms.iter().find(|a| !a.body.mentions(m))?;
        Some(dropping.body.span())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::tests::lowered;

    fn env(messages: &[&str], others: &[&str]) -> Vec<Binding<'static>> {
        let mut env: Vec<Binding> = messages
            .iter()
            .map(|m| Binding::new(*m, Val::Message))
            .collect();
        env.extend(others.iter().map(|o| Binding::new(*o, Val::Unknown)));
        env
    }

    fn arms(src: &str) -> (Expr, Vec<Arm>) {
        match lowered(src) {
            Expr::Match { scrutinee, arms } => (*scrutinee, arms),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_skipping_arm_of_a_lookup_keyed_by_the_message_loses_it() {
        let (s, a) =
            arms("match routes.get(&job.kind) { Some(r) => r.run(job), None => continue }");
        assert!(lossy_arm(&env(&["job"], &["routes"]), &s, &a).is_some());
        let (s, a) =
            arms("match routes.get(&job.kind) { Some(r) => r.run(job), None => park(job) }");
        assert!(lossy_arm(&env(&["job"], &[]), &s, &a).is_none());
        assert!(
            lossy_arm(&env(&[], &["job"]), &s, &a).is_none(),
            "not a received message"
        );
    }

    #[test]
    fn an_else_that_never_mentions_the_message_drops_it() {
        let e = env(&["event"], &[]);
        assert!(drops_message(&e, |m| m == "event", |_| false));
        assert!(!drops_message(&e, |m| m == "event", |m| m == "event"));
        assert!(!drops_message(&e, |_| false, |_| false));
    }
}
