//! What the crossed code may do: each shape the scan must refuse next to
//! the one it accepts.

use super::*;
use crate::diagnostic::Applicability::{Safe, Unsafe};

fn words(list: &[&str]) -> Vec<String> {
    list.iter().map(|w| w.to_string()).collect()
}

fn crossing_with<'a>(
    captures: &'a [String],
    bounded: &'a [String],
    spawners: &'a [String],
    scopes: &'a [String],
) -> Crossing<'a> {
    Crossing {
        captures,
        bounded,
        callee_waits: None,
        spawners,
        scopes,
    }
}

#[test]
fn a_crossed_spawns_task_body_does_not_run_in_place() {
    let (caps, spawners, scopes) = (words(&["t"]), words(&["spawn"]), words(&["scope"]));
    let cx = crossing_with(&caps, &[], &spawners, &scopes);
    let other_task = "rt.spawn(async move { while let Some(l) = rx.recv().await { ship(&l); } });";
    assert_eq!(crossing_applicability_in(other_task, cx), Safe);
    // Without the catalog's spawners the body reads as code run here.
    assert_eq!(crossing_applicability(other_task, &caps), Unsafe);
    // The names it takes still count.
    let takes_capture = "rt.spawn(async move { t.run().await });";
    assert_eq!(crossing_applicability_in(takes_capture, cx), Unsafe);
    // A scope joins its threads before it returns: their waits are waited for.
    let scoped = "thread::scope(|s| { s.spawn(|| ready_rx.recv()); });";
    assert_eq!(crossing_applicability_in(scoped, cx), Unsafe);
}

#[test]
fn a_for_loop_over_a_range_or_a_slice_parameter_ends() {
    let (caps, bounded) = (words(&["t"]), words(&["rules"]));
    let cx = crossing_with(&caps, &bounded, &[], &[]);
    for ends in [
        "for _ in 0..n { push(); }",
        "for i in 1..=n.len() { push(i); }",
        "for (k, v) in rules { insert(k, v); }",
        "for r in &rules { insert(r); }",
        "for r in rules.iter() { insert(r); }",
    ] {
        assert_eq!(crossing_applicability_in(ends, cx), Safe, "{ends}");
    }
    for may_wait in [
        "for m in rx { handle(m); }",
        "for m in rx.iter() { handle(m); }",
        "for r in others { insert(r); }",
        "for _ in 0..n { rx.recv(); }",
    ] {
        assert_eq!(
            crossing_applicability_in(may_wait, cx),
            Unsafe,
            "{may_wait}"
        );
    }
}

#[test]
fn a_crossed_call_is_read_through_the_callees_body() {
    let caps = words(&["t"]);
    let waits = |c: Call| c == Call::Method("wait_ready");
    let cx = Crossing {
        captures: &caps,
        callee_waits: Some(&waits),
        ..Crossing::default()
    };
    assert_eq!(crossing_applicability_in("me.wait_ready();", cx), Unsafe);
    assert_eq!(crossing_applicability_in("me.install(rules);", cx), Safe);
    // How the call is written tells which functions it can be.
    let seen = std::cell::RefCell::new(Vec::new());
    let record = |c: Call| {
        seen.borrow_mut().push(format!("{c:?}"));
        false
    };
    let cx = Crossing {
        callee_waits: Some(&record),
        ..Crossing::default()
    };
    let _ = crossing_applicability_in("a.m(); Self::p(); Vec::<u8>::new(); f();", cx);
    assert_eq!(
        seen.borrow().as_slice(),
        [
            "Method(\"m\")",
            "Path(Some(\"Self\"), \"p\")",
            "Path(None, \"new\")",
            "Free(\"f\")"
        ]
    );
}

#[test]
fn a_callee_body_may_leave_but_not_wait() {
    let leaves = "fn install(&self, rules: &[(String, u32)]) -> io::Result<()> {\n    let f = open()?;\n    for r in rules { if r.1 == 0 { return Ok(()); } }\n    Ok(())\n}";
    assert!(!body_may_wait(leaves, Crossing::default()));
    let spins = "fn wait_ready(&self) { while !self.ready.load(SeqCst) {} }";
    assert!(body_may_wait(spins, Crossing::default()));
    let blocks = "fn next(&self) -> u8 { self.rx.recv().unwrap() }";
    assert!(body_may_wait(blocks, Crossing::default()));
    assert!(
        body_may_wait("fn f(", Crossing::default()),
        "text that does not lex"
    );
}

#[test]
fn bounded_parameters_are_slices_arrays_and_vecs() {
    let item =
        "fn f<'a>(a: &'a [u8], b: Vec<T>, c: Receiver<u8>, d: &mut [u8; 4], (e, g): (u8, u8)) {}";
    assert_eq!(bounded_params(item), words(&["a", "b", "d"]));
}

#[test]
fn compound_assignments_write_comparisons_do_not() {
    assert_eq!(
        written_names("n += 1; m <<= 2; a == b; c <= d; e >= f; g != h; k = 3;"),
        words(&["n", "m", "k"])
    );
}

#[test]
fn a_body_is_only_its_call() {
    let item = "fn start_sweeper(shards: Shards) {\n    tokio::spawn(async move { sweep(shards).await });\n}";
    assert!(body_is_only(
        item,
        "tokio::spawn(async move { sweep(shards).await })"
    ));
    let more = item.replace("    tokio::spawn", "    log();\n    tokio::spawn");
    assert!(!body_is_only(
        &more,
        "tokio::spawn(async move { sweep(shards).await })"
    ));
}
