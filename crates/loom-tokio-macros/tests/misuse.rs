//! The attribute misused: each mistake is a compile error that says what is wrong, at the
//! tokens that are wrong. The messages are checked in: `tests/misuse/errors.stderr`.

#[test]
fn each_misuse_is_a_compile_error_that_names_it() {
    trybuild::TestCases::new().compile_fail("tests/misuse/errors.rs");
}
