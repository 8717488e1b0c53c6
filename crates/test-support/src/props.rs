//! The one harness of the property suites (`tests/props/prop_*.rs`), and its vocabulary:
//!
//! - a [`Suite`] states what one property compares: tokio's channel, the reference model of
//!   `channel_models`, its twins, and the cases; [`suite_tests!`](crate::suite_tests) derives from it the property,
//!   the committed seeds' check, their recording, and the check that the search is not vacuous.
//!   A suite's module holds its suite, its own twins' assertions and its edge cases, nothing else;
//! - a [`Channel`] is a thing under comparison: it takes an `Op` and answers an `Outcome`
//!   ([`Channel::apply`]), and says what every accessor shows ([`Channel::observe`]);
//! - a **twin** is the reference model with exactly one rule changed, its **flaw**: it wraps
//!   the model and overrides that one rule, delegating everything else;
//! - [`check`] runs one op sequence on tokio and on a model (or a twin) and compares the outcome
//!   of every op, and every observation, initially and after every step;
//! - a [`Case`] is what a property generates: a setup (the capacity, the initial value, ...)
//!   and the ops;
//! - [`twin_rejected`] shows that a twin fails the property: proptest's shrunk counterexample
//!   ([`counterexample`], a fixed seed) and that case made minimal ([`minimise`]);
//!   [`edge_case`] pins one case that the model passes and a twin fails;
//! - [`reaches_every_outcome`] shows that the random cases are not vacuous: they reach every
//!   outcome the model can give;
//! - [`persisted`]: the config of every property, failures kept in `proptest-regressions/` at
//!   the top of the repository and replayed first; [`record`] writes a twin's failing seed
//!   there.

use std::collections::BTreeSet;
use std::fmt::Debug;

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{
    Config, FileFailurePersistence, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner,
};

/// The random generator of every search: XorShift, several times faster than proptest's
/// default (ChaCha) in the unoptimised test build, where drawing the cases costs more than
/// running them. Persisted seeds say which generator drew them (`xs`), so they replay.
const RNG: RngAlgorithm = RngAlgorithm::XorShift;

/// A thing under comparison: tokio's channel, the reference model, or a twin.
pub trait Channel {
    /// One step.
    type Op: Debug;
    /// What a step produces.
    type Outcome: PartialEq + Debug;
    /// What every accessor says between steps.
    type Observed: PartialEq + Debug;

    /// Applies one step.
    fn apply(&mut self, op: &Self::Op) -> Self::Outcome;

    /// Asks every accessor; changes nothing.
    fn observe(&self) -> Self::Observed;
}

/// Applies `ops` to tokio's channel and to `model`: the outcome of every op, and every
/// observation (initially and after every step), must agree.
pub fn check<R, M>(tokio: &mut R, model: &mut M, ops: &[R::Op]) -> Result<(), TestCaseError>
where
    R: Channel + ?Sized,
    M: Channel<Op = R::Op, Outcome = R::Outcome, Observed = R::Observed> + ?Sized,
{
    let (actual, expected) = (tokio.observe(), model.observe());
    if actual != expected {
        return Err(TestCaseError::fail(format!(
            "observed initially: tokio {actual:?}, model {expected:?}"
        )));
    }
    for (step, op) in ops.iter().enumerate() {
        let expected = model.apply(op);
        let actual = tokio.apply(op);
        if actual != expected {
            return Err(TestCaseError::fail(format!(
                "outcome of step {step} ({op:?}): tokio {actual:?}, model {expected:?}"
            )));
        }
        let (actual, expected) = (tokio.observe(), model.observe());
        if actual != expected {
            return Err(TestCaseError::fail(format!(
                "observed after step {step} ({op:?}): tokio {actual:?}, model {expected:?}"
            )));
        }
    }
    Ok(())
}

/// One property: tokio's channel against the reference model, on random cases, and the twins
/// it must reject. A suite states these; the harness does the rest, the same way for every
/// suite ([`suite_tests!`](crate::suite_tests)).
pub trait Suite {
    /// Names the suite in the regressions file's comments.
    const NAME: &'static str;
    /// The regressions file, `proptest-regressions/<FILE>.txt`; suites of one channel share one.
    const FILE: &'static str;
    /// Random cases per run, unless `PROPTEST_CASES` says otherwise.
    const CASES: u32;
    /// What a channel is made with: a capacity, an initial value, or `()`.
    type Setup: Clone + Debug;
    /// One step.
    type Op: Clone + Debug;
    /// What a step produces.
    type Outcome: PartialEq + Debug;
    /// What every accessor says between steps.
    type Observed: PartialEq + Debug;
    /// The rule a twin changes.
    type Flaw: Copy + Debug + 'static;
    /// Every twin of the suite: the property must reject each one.
    const FLAWS: &'static [Self::Flaw];
    /// Every label [`Suite::outcomes`] must report over the random cases.
    const OUTCOMES: &'static [&'static str];

    /// The random cases.
    fn cases() -> impl Strategy<Value = Case<Self::Setup, Self::Op>>;
    /// Simpler setups than `setup`, for [`minimise`]; none by default.
    fn lower_setup(_setup: &Self::Setup) -> Vec<Self::Setup> {
        Vec::new()
    }
    /// Strictly simpler forms of `op` (fields lowered towards 0, the first handle, ...), for
    /// [`minimise`]; none by default.
    fn lower_op(_op: &Self::Op) -> Vec<Self::Op> {
        Vec::new()
    }
    /// Tokio's channel, made with `setup`.
    fn tokio(
        setup: &Self::Setup,
    ) -> impl Channel<Op = Self::Op, Outcome = Self::Outcome, Observed = Self::Observed>;
    /// The reference model, made with `setup`.
    fn model(
        setup: &Self::Setup,
    ) -> impl Channel<Op = Self::Op, Outcome = Self::Outcome, Observed = Self::Observed>;
    /// The twin of `flaw`, made with `setup`.
    fn twin(
        setup: &Self::Setup,
        flaw: Self::Flaw,
    ) -> impl Channel<Op = Self::Op, Outcome = Self::Outcome, Observed = Self::Observed>;
    /// The steps of `case`: its ops, unless the suite adds some (a final drain, ...).
    fn steps(case: &Case<Self::Setup, Self::Op>) -> Vec<Self::Op> {
        case.ops.clone()
    }
    /// Runs `case` on the reference model and reports the label of each outcome it reaches.
    fn outcomes(case: Case<Self::Setup, Self::Op>, seen: &mut dyn FnMut(&'static str));
}

/// The property on `case`: tokio against the reference model, or against the twin of `flaw`.
pub fn run<S: Suite>(
    case: &Case<S::Setup, S::Op>,
    flaw: Option<S::Flaw>,
) -> Result<(), TestCaseError> {
    let steps = S::steps(case);
    let mut tokio = S::tokio(&case.setup);
    match flaw {
        None => check(&mut tokio, &mut S::model(&case.setup), &steps),
        Some(flaw) => check(&mut tokio, &mut S::twin(&case.setup, flaw), &steps),
    }
}

/// The property: tokio agrees with the model on [`Suite::CASES`] random cases, after the seeds
/// of the suite's regressions file.
pub fn agrees_with_the_model<S: Suite>() {
    let mut runner = TestRunner::new(persisted(S::FILE, S::CASES));
    if let Err(error) = runner.run(&S::cases(), |case| run::<S>(&case, None)) {
        panic!("{}: {error}", S::NAME);
    }
}

/// Runs the property's search against the twin of `flaw`, which must fail it; returns and
/// prints the counterexample, shrunk and minimal.
pub fn twin_rejected<S: Suite>(flaw: S::Flaw) -> Rejection<S::Setup, S::Op> {
    rejected(S::cases(), S::lower_setup, S::lower_op, |case| {
        run::<S>(case, Some(flaw))
    })
}

/// A fixed case, run every time: tokio and the model agree on it, and the twin of `flaw` does
/// not. The seeds replay random cases around the same edges; this pins the exact case.
pub fn edge_case<S: Suite>(setup: S::Setup, ops: Vec<S::Op>, flaw: S::Flaw) {
    let case = Case { setup, ops };
    if let Err(why) = run::<S>(&case, None) {
        panic!("the model disagrees with tokio on {case:?}: {why}");
    }
    assert!(
        run::<S>(&case, Some(flaw)).is_err(),
        "{flaw:?} passes {case:?}"
    );
}

/// Writes a seed that rejects each twin into the suite's regressions file.
pub fn record_regressions<S: Suite>() {
    for &flaw in S::FLAWS {
        record(
            S::FILE,
            &format!("{} twin {flaw:?}", S::NAME),
            S::cases(),
            |case| run::<S>(&case, Some(flaw)),
        );
    }
}

/// The committed seeds replay a case that rejects each twin, every run.
pub fn committed_seeds_reject_every_twin<S: Suite>() {
    for &flaw in S::FLAWS {
        assert_seeds_reject(
            S::FILE,
            &format!("{} twin {flaw:?}", S::NAME),
            S::cases(),
            |case| run::<S>(&case, Some(flaw)),
        );
    }
}

/// The search is not vacuous: 1024 random cases reach every one of [`Suite::OUTCOMES`].
pub fn search_reaches_every_outcome<S: Suite>() {
    reaches_every_outcome(S::cases(), 1024, S::outcomes, S::OUTCOMES);
}

/// The tests every [`Suite`] has, in a module of their own (`$module`): the property, the
/// committed seeds' check, the seeds' recording (ignored: run it by hand after adding a twin,
/// `cargo test --test props -- --ignored record_regressions`), and the search's reach.
#[macro_export]
macro_rules! suite_tests {
    ($module:ident: $suite:ty) => {
        mod $module {
            use super::*;

            #[test]
            fn agrees_with_the_model() {
                $crate::props::agrees_with_the_model::<$suite>();
            }

            #[test]
            fn committed_seeds_reject_every_twin() {
                $crate::props::committed_seeds_reject_every_twin::<$suite>();
            }

            #[test]
            #[ignore = "writes the suite's file in proptest-regressions/"]
            fn record_regressions() {
                $crate::props::record_regressions::<$suite>();
            }

            #[test]
            fn search_reaches_every_outcome() {
                $crate::props::search_reaches_every_outcome::<$suite>();
            }
        }
    };
}

/// A generated test case: how the channel is made, and the ops applied to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Case<S, O> {
    /// What the channel is made with: a capacity, an initial value, or `()`.
    pub setup: S,
    /// The steps.
    pub ops: Vec<O>,
}

/// The strategy of a [`Case`]: a setup and 0..=`max_ops` ops.
pub fn case<S: Strategy, O: Strategy>(
    setup: S,
    op: O,
    max_ops: usize,
) -> impl Strategy<Value = Case<S::Value, O::Value>> {
    (setup, proptest::collection::vec(op, 0..=max_ops)).prop_map(|(setup, ops)| Case { setup, ops })
}

/// The `k % alive`-th live handle's index, if any is alive: how an op's `usize` picks a handle.
pub fn pick<T>(handles: &[Option<T>], k: usize) -> Option<usize> {
    let alive: Vec<usize> = (0..handles.len())
        .filter(|&i| handles[i].is_some())
        .collect();
    (!alive.is_empty()).then(|| alive[k % alive.len()])
}

/// The `k % len`-th of the ids a model says are alive (how a generated op names a handle of a
/// model that keeps ids, where [`pick`] serves one that keeps slots); `None` if none is.
pub fn nth<T: Copy>(ids: &[T], k: usize) -> Option<T> {
    (!ids.is_empty()).then(|| ids[k % ids.len()])
}

/// Where `suite`'s failures are kept: `proptest-regressions/<suite>.txt` at the top of the
/// repository, whatever the working directory.
pub fn regressions(suite: &str) -> &'static str {
    let path = format!(
        "{}/../../proptest-regressions/{suite}.txt",
        env!("CARGO_MANIFEST_DIR")
    );
    Box::leak(path.into_boxed_str())
}

/// The properties' config: `cases` cases unless `PROPTEST_CASES` says otherwise (`ci/deep.sh`
/// asks for many more), failures persisted in [`regressions`]`(suite)`, whose seeds proptest
/// replays before any new case.
pub fn persisted(suite: &str, cases: u32) -> Config {
    let mut config = Config {
        rng_algorithm: RNG,
        ..Config::default()
    };
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = cases;
    }
    config.failure_persistence = Some(Box::new(FileFailurePersistence::Direct(regressions(suite))));
    config
}

/// The search every twin gets: a fixed seed (the same counterexample on every run), 2048 cases.
fn twin_config() -> Config {
    Config {
        cases: 2048,
        failure_persistence: None,
        rng_algorithm: RNG,
        ..Config::default()
    }
}

/// Runs a property against a twin, which it must reject: a fixed seed, nothing persisted.
/// Returns why it failed and proptest's shrunk counterexample, both also printed; panics if
/// the twin is accepted.
pub fn counterexample<S>(
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) -> (String, S::Value)
where
    S: Strategy,
    S::Value: Debug,
{
    counterexample_shrunk_within(strategy, Config::default().max_shrink_iters, test)
}

/// [`counterexample`], shrinking at most `shrink_iters` times: for a property whose cases are
/// costly (a whole simulation each), where a full shrink would take longer than the suite.
pub fn counterexample_shrunk_within<S>(
    strategy: S,
    shrink_iters: u32,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) -> (String, S::Value)
where
    S: Strategy,
    S::Value: Debug,
{
    let config = Config {
        max_shrink_iters: shrink_iters,
        ..twin_config()
    };
    let rng = TestRng::deterministic_rng(config.rng_algorithm);
    match TestRunner::new_with_rng(config, rng).run(&strategy, test) {
        Err(TestError::Fail(why, shrunk)) => {
            println!("twin rejected: {why}\nshrunk counterexample: {shrunk:?}");
            (why.to_string(), shrunk)
        }
        other => panic!("the twin was not rejected: {other:?}"),
    }
}

/// Makes `case` smaller while it still `fails`: deletes single ops (with the setup as it is or
/// any of `lower_setup`'s), lowers the setup, and replaces single ops by one of `lower_op`'s.
/// Proptest's shrinking does not go back to deleting ops once it has simplified them, and an
/// op on the `k % alive`-th handle pins the handles before it, so its result sometimes keeps
/// superfluous ops; this makes the twins' assertions exact. Every step makes the case strictly
/// simpler (fewer ops, a lower setup, or a simpler op), so it ends.
pub fn minimise<S: Clone, O: Clone>(
    mut case: Case<S, O>,
    lower_setup: impl Fn(&S) -> Vec<S>,
    lower_op: impl Fn(&O) -> Vec<O>,
    fails: impl Fn(&Case<S, O>) -> bool,
) -> Case<S, O> {
    'smaller: loop {
        for i in 0..case.ops.len() {
            let setups = std::iter::once(case.setup.clone()).chain(lower_setup(&case.setup));
            for setup in setups {
                let mut ops = case.ops.clone();
                ops.remove(i);
                let candidate = Case { setup, ops };
                if fails(&candidate) {
                    case = candidate;
                    continue 'smaller;
                }
            }
        }
        for setup in lower_setup(&case.setup) {
            let candidate = Case {
                setup,
                ops: case.ops.clone(),
            };
            if fails(&candidate) {
                case = candidate;
                continue 'smaller;
            }
        }
        for i in 0..case.ops.len() {
            for simpler in lower_op(&case.ops[i]) {
                let mut candidate = case.clone();
                candidate.ops[i] = simpler;
                if fails(&candidate) {
                    case = candidate;
                    continue 'smaller;
                }
            }
        }
        return case;
    }
}

/// A twin rejected: why, proptest's shrunk counterexample, and that case [`minimise`]d.
#[derive(Debug)]
pub struct Rejection<S, O> {
    /// The failure of the shrunk case.
    pub why: String,
    /// Proptest's shrunk counterexample.
    pub shrunk: Case<S, O>,
    /// The shrunk case, minimised.
    pub minimal: Case<S, O>,
}

/// Runs the property's search (`strategy`, `check_twin`) against a twin, which must fail it;
/// returns and prints the counterexample, shrunk and minimal.
pub fn rejected<S, O>(
    strategy: impl Strategy<Value = Case<S, O>>,
    lower_setup: impl Fn(&S) -> Vec<S>,
    lower_op: impl Fn(&O) -> Vec<O>,
    check_twin: impl Fn(&Case<S, O>) -> Result<(), TestCaseError>,
) -> Rejection<S, O>
where
    S: Clone + Debug,
    O: Clone + Debug,
{
    let (why, shrunk) = counterexample(strategy, |case| check_twin(&case));
    let minimal = minimise(shrunk.clone(), lower_setup, lower_op, |case| {
        check_twin(case).is_err()
    });
    println!("minimal: {minimal:?}");
    Rejection {
        why,
        shrunk,
        minimal,
    }
}

/// Asserts that `cases` random cases of `strategy` reach every label of `expected`: `run`
/// applies a case to the model and reports the label of each outcome it sees.
pub fn reaches_every_outcome<V>(
    strategy: impl Strategy<Value = V>,
    cases: usize,
    mut run: impl FnMut(V, &mut dyn FnMut(&'static str)),
    expected: &[&'static str],
) {
    let mut runner = TestRunner::new_with_rng(Config::default(), TestRng::deterministic_rng(RNG));
    let mut seen = BTreeSet::new();
    for _ in 0..cases {
        let case = strategy.new_tree(&mut runner).expect("a case").current();
        run(case, &mut |label| {
            seen.insert(label);
        });
    }
    let missed: Vec<_> = expected.iter().filter(|l| !seen.contains(*l)).collect();
    assert!(missed.is_empty(), "never reached: {missed:?}");
}

/// Writes the seed of the case that rejects a twin into `suite`'s regressions file, after a
/// comment naming `what`, unless the file has it already. Run by each suite's ignored
/// `record_regressions` test.
///
/// proptest's file format: one seed a line (`xs ...` for this harness's XorShift, `cc ...` for
/// ChaCha) with `# shrinks to <case>`; lines starting with `#` are comments.
///
/// `strategy` must be exactly the property's: a seed reproduces a case only through the
/// strategy that drew it. Replayed by the property (with the reference model), the seed gives
/// the *unshrunk* case, which contains the edge case the twin tripped on.
pub fn record<S>(
    suite: &str,
    what: &str,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) where
    S: Strategy,
    S::Value: Debug,
{
    let scratch = format!(
        "{}/{suite}-{}-{}.txt",
        std::env::temp_dir().display(),
        what.replace(|c: char| !c.is_alphanumeric(), "_"),
        std::process::id()
    );
    let _ = std::fs::remove_file(&scratch);
    let mut config = twin_config();
    config.failure_persistence = Some(Box::new(FileFailurePersistence::Direct(Box::leak(
        scratch.clone().into_boxed_str(),
    ))));
    let rng = TestRng::deterministic_rng(config.rng_algorithm);
    let result = TestRunner::new_with_rng(config, rng).run(&strategy, test);
    assert!(
        matches!(result, Err(TestError::Fail(..))),
        "{what}: not rejected"
    );
    let found = std::fs::read_to_string(&scratch).expect("proptest wrote the seed");
    let _ = std::fs::remove_file(&scratch);
    // Suites of one channel share a file, and the test harness runs their recordings at once.
    static WRITING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _writing = WRITING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let file = regressions(suite);
    let mut kept: Vec<String> = std::fs::read_to_string(file)
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect();
    let comment = format!("# {what}");
    // Seed lines: `xs <four numbers>` (XorShift) or `cc <hex>` (ChaCha), then `# shrinks to`.
    for line in found
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let seed = line.split(" #").next().unwrap_or(line);
        match kept.iter().position(|l| l.starts_with(seed)) {
            // The same case rejects another twin too: name this one above it as well.
            Some(at) if !kept[..at].contains(&comment) => kept.insert(at, comment.clone()),
            Some(_) => {}
            None => kept.extend([comment.clone(), line.to_owned()]),
        }
    }
    let kept = kept.join("\n") + "\n";
    std::fs::write(file, kept).expect("regressions file written");
}

/// Runs only the seeds committed in `suite`'s regressions file (no new case) through `test`,
/// with the property's `strategy`, and asserts that they fail it: each suite's
/// `committed_seeds_reject_every_twin` test runs this per twin, which shows that the seeds
/// still draw the twins' counterexamples through the strategy as it is now (re-record them if
/// it changed).
pub fn assert_seeds_reject<S>(
    suite: &str,
    what: &str,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) where
    S: Strategy,
    S::Value: Debug,
{
    let mut config = persisted(suite, 0);
    config.cases = 0;
    let result = TestRunner::new(config).run(&strategy, test);
    assert!(
        matches!(result, Err(TestError::Fail(..))),
        "{what}: no seed in {} rejects it (re-record with the ignored record_regressions test)",
        regressions(suite)
    );
}
