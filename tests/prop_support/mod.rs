//! What every property suite shares: where failures are kept, and how a broken twin is
//! searched for a counterexample.
#![allow(dead_code, reason = "each property suite uses a different subset")]

use std::fmt::Debug;

use proptest::strategy::Strategy;
use proptest::test_runner::{
    Config, FileFailurePersistence, TestCaseError, TestError, TestRng, TestRunner,
};

/// The properties' config: `cases` cases unless `PROPTEST_CASES` says otherwise (`ci/deep.sh`
/// asks for many more), failures persisted in `file`, which the repository keeps.
pub fn persisted(file: &'static str, cases: u32) -> Config {
    let mut config = Config::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = cases;
    }
    config.failure_persistence = Some(Box::new(FileFailurePersistence::Direct(file)));
    config
}

/// Runs a property against a deliberately broken twin, which it must reject: a fixed seed (the
/// same counterexample on every run), nothing persisted. Returns why it failed and proptest's
/// shrunk counterexample, both also printed; panics if the twin is accepted.
pub fn counterexample<S>(
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) -> (String, S::Value)
where
    S: Strategy,
    S::Value: Debug,
{
    let config = Config {
        cases: 2048,
        failure_persistence: None,
        ..Config::default()
    };
    let rng = TestRng::deterministic_rng(config.rng_algorithm);
    match TestRunner::new_with_rng(config, rng).run(&strategy, test) {
        Err(TestError::Fail(why, shrunk)) => {
            println!("broken twin rejected: {why}\nshrunk counterexample: {shrunk:?}");
            (why.to_string(), shrunk)
        }
        other => panic!("the broken twin was not rejected: {other:?}"),
    }
}
