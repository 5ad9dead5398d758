use super::*;

fn calls(src: &str) -> Vec<Vec<RawCall>> {
    scan(src).into_iter().map(|b| b.calls).collect()
}

fn m(n: &str) -> RawCall {
    RawCall::Method(n.into())
}

fn p(q: Option<&str>, n: &str) -> RawCall {
    RawCall::Path(q.map(str::to_string), n.into())
}

#[test]
fn finds_free_impl_and_module_bodies() {
    let src = "fn a() { x(); }\nimpl S { fn b(&self) { self.c(); } }\n\
               trait T { fn d(); fn e() { S::f() } }\nmod m { pub(crate) async fn g() { h!(1) } }\n";
    assert_eq!(
        calls(src),
        vec![
            vec![p(None, "x")],
            vec![m("c")],
            vec![RawCall::Macro("h".into())],
        ]
    );
}

#[test]
fn the_insides_of_enums_unions_and_traits_are_blanked() {
    let src = "/// E\nenum E {\n    /// A\n    A(u8),\n}\npub trait T: Send { fn e() { f() } }\n\
               union U { a: u8 }\nstruct S { a: u8 }\nmod m { enum F { B } }\n";
    let index = index(src);
    assert!(
        index.bodies.is_empty(),
        "a trait's default bodies are no facts"
    );
    assert_eq!(index.opaque.len(), 4);
    let want = "//  E\nenum E {\n\n\n}\npub trait T: Send {                }\n\
                union U {       }\nstruct S { a: u8 }\nmod m { enum F {   } }\n";
    assert_eq!(blank_index(src, &index), want);
    assert!(syn::parse_file(want).is_ok());
}

#[test]
fn positions_are_those_of_the_opening_brace() {
    let b = scan("// é\nfn a() {}\n  fn é() -> u8 { 1 }\n");
    assert_eq!((b[0].line, b[0].column), (2, 7));
    assert_eq!((b[1].line, b[1].column), (3, 15));
}

#[test]
fn paths_turbofish_and_qualified_self() {
    let src = "fn a() { Vec::<(u8, [u8; 2])>::new(); it.collect::<Vec<Vec<u8>>>(); \
               <T as Tr>::go(); crate::x::y::<u8>(); }";
    assert_eq!(
        calls(src),
        vec![vec![
            p(Some("Vec"), "new"),
            m("collect"),
            p(Some("Tr"), "go"),
            p(None, "go"),
            p(Some("x"), "y"),
        ]]
    );
}

#[test]
fn literals_comments_lifetimes_and_keywords_name_nothing() {
    let src = "fn a<'s>(x: &'s str) { let _ = \"f()\"; /* g() */ // h()\n \
               let _ = r#\"i()\"#; if (x) {} match (y) {} 'l: loop { break 'l; } j(); }";
    assert_eq!(calls(src), vec![vec![p(None, "j")]]);
}

#[test]
fn items_among_a_bodys_statements_are_kept_when_it_is_blanked() {
    for item in [
        "fn inner() { g() }",
        "#[derive(Debug)]\n    pub(crate) struct Y { a: u8 }",
        "impl X { fn m(&self) {} }",
        "struct Z(u8);",
        "static S: S = S { a: 1 };",
        "use a::{b, c};",
        "unsafe extern \"C\" fn e() {}",
        "macro_rules! q { () => {} }",
    ] {
        let src = format!("fn a() {{\n    let x = f();\n    {item}\n    x.h();\n}}\n");
        let bodies = scan(&src);
        assert_eq!(bodies.len(), 1, "{item}");
        let blanked = blank(&src, &bodies);
        let want = format!("fn a() {{\n\n    {item}\n\n}}\n");
        assert_eq!(blanked, want, "{item}");
    }
}

#[test]
fn items_inside_inner_blocks_or_types_are_not_kept() {
    let src = "fn a() { let f: fn() = g; let x = { use y::z; 1 }; }\n";
    let bodies = scan(src);
    assert_eq!(bodies.len(), 1);
    assert!(bodies[0].items.is_empty());
}

#[test]
fn an_item_keyword_the_scan_cannot_place_leaves_the_body_to_the_file() {
    assert!(scan("fn a() { x + mod y {} }").is_empty());
}

#[test]
fn struct_updates_from_default_are_flagged() {
    let src = "fn a() { S { a: 1, ..Default::default() } }\nfn b() { S { ..Self::default() } }\n\
               fn c() { S { ..base } }\nfn d() { x.default(); 0..n }\n";
    let flags: Vec<bool> = scan(src).iter().map(|b| b.updates).collect();
    assert_eq!(flags, [true, true, false, false]);
}

#[test]
fn braces_of_other_items_are_not_bodies() {
    let src = "struct S { f: fn() }\nconst C: u8 = { 1 };\nstatic F: fn() = f;\n\
               m! { fn x() {} }\nimpl Tr for fn() { fn y() { z() } }\nextern \"C\" { fn w(); }\n\
               extern \"C\" fn v() { u() }\n";
    assert_eq!(calls(src), vec![vec![p(None, "z")], vec![p(None, "u")]]);
}

#[test]
fn doc_comments_outside_bodies_and_macro_input_become_plain() {
    let src = "//! crate\n/// item\nstruct S {\n    /// field\n    a: u8,\n}\n\
               m! { /// kept\n fn x() {} }\nimpl S {\n    /** method */\n    fn f() { /// inner\n }\n}\n\
               //// not a doc\n/**/ /*** banner */\n";
    let index = index(src);
    let blanked = blank_with_docs(src, &index.bodies, &index.docs);
    let want = "//  crate\n//  item\nstruct S {\n    //  field\n    a: u8,\n}\n\
                m! { /// kept\n fn x() {} }\nimpl S {\n    /*  method */\n    fn f() {\n }\n}\n\
                //// not a doc\n/**/ /*** banner */\n";
    assert_eq!(blanked, want);
    assert!(syn::parse_file(&blanked).is_ok());
}

#[test]
fn unbalanced_text_is_not_indexed() {
    assert!(scan("fn a() { ( }").is_empty());
    assert!(scan("fn a() { } }").is_empty());
}

#[test]
fn blanking_keeps_lines_and_the_closing_column() {
    let src = "fn a() { x();\n  y(); }  fn b() { é }\n";
    let blanked = blank(src, &scan(src));
    assert_eq!(blanked, "fn a() {\n       }  fn b() {   }\n");
}

#[test]
fn a_signature_stub_keeps_the_name_receiver_and_every_position() {
    let cases = [
        (
            "impl S {\n    pub async fn a<F: Fn(u8) -> u8>(&'a mut self, f: F)\n        -> Vec<u8> where F: Copy {\n        f(1)\n    }\n}\n",
            "impl S {\n    pub async fn a                 (&'a mut self      )\n                                 {\n\n    }\n}\n",
        ),
        (
            "fn b(self: Pin<&mut Self>, x: Map<u8, u8>) -> u8 { 1 }\n",
            "fn b(self: Pin<&mut Self>                )       {   }\n",
        ),
        ("fn c(x: u8) {}\n", "fn c(     ) {}\n"),
        ("fn d(mut self) {}\n", "fn d(mut self) {}\n"),
        // Attributes before `self`: shown to syn as written. A const
        // argument's block in the generics is the first brace the scan
        // meets: it is taken for the body (blanking it changes no fact)
        // and the signature is left as written.
        ("fn e(#[a] self) {}\n", "fn e(#[a] self) {}\n"),
        ("fn g<T: X<{ 1 }>>() {}\n", "fn g<T: X<{   }>>() {}\n"),
    ];
    for (src, want) in cases {
        let index = index(src);
        let blanked = blank_with_docs(src, &index.bodies, &index.docs);
        assert_eq!(blanked, want, "{src}");
        let opens = |t: &str| t.match_indices('{').map(|(i, _)| i).collect::<Vec<_>>();
        assert_eq!(opens(&blanked).last(), opens(src).last(), "{src}");
    }
}

#[test]
fn a_signature_stub_records_where_the_fn_keyword_is() {
    let src = "mod m {\n  /// doc\n  pub(crate) fn é<T>(x: T) -> T { x }\n}\n";
    let b = &scan(src)[0];
    let sig = b.sig.expect("a stub");
    assert_eq!(&src[sig.fn_at..sig.fn_at + 2], "fn");
    assert_eq!((sig.line, sig.column), (3, 13));
    assert_eq!(&src[sig.open..=sig.close], "(x: T)");
}

#[test]
fn invocations_of_macros_the_file_does_not_define_are_blanked() {
    let src = "lazy_static! {\n    static ref X: u8 = f();\n}\nthread_local!(static Y: u8 = 1);\n\
               macro_rules! own { ($i:item) => { $i } }\nown! { fn kept() { g() } }\n\
               fn after() { h() }\n";
    let index = index(src);
    assert_eq!(calls(src), vec![vec![p(None, "h")]]);
    let blanked = blank_index(src, &index);
    let want = "lazy_static! {\n\n}\nthread_local!(                );\n\
                macro_rules! own { ($i:item) => { $i } }\nown! { fn kept() { g() } }\n\
                fn after() {     }\n";
    assert_eq!(blanked, want);
    assert!(syn::parse_file(&blanked).is_ok());
}
