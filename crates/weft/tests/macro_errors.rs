//! The macros' compile errors say what is wrong and where (trybuild UI tests).

#[test]
fn macro_misuse_is_a_clear_compile_error() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}
