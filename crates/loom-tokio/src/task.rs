//! Tasks under loom: tokio's `spawn`, `JoinHandle`, `JoinError` and `yield_now`, and [`run`],
//! the runtime a loom test starts a pattern with.
//!
//! Each task is a loom thread that polls its future, and parks when the future is pending until
//! a waker marks it notified; loom explores the interleavings of all of them. The executor's
//! bookkeeping is one `std` mutex, deliberately invisible to loom: it is not the code under
//! test, and as a loom mutex it would multiply the interleavings (every wait and wake-up of
//! every task would be a point of preemption) without adding a schedule of the program. It is
//! safe under loom because loom runs one thread at a time and switches only at its own
//! operations, of which there are none inside the critical sections (an `unpark` does not
//! switch). What a program can observe still goes through loom: its channels' state, and the
//! `park` of a task that waits. The bookkeeping lets the executor see what loom would report as
//! a deadlock before loom does: when every task is waiting and none is notified, nothing can
//! ever wake one. Loom aborts the whole test process
//! on a deadlock; [`run`] instead stops every task and returns [`Ran::stuck`], so a test can
//! assert on it with a message.
//!
//! When the run's main future finishes, the tasks still alive are cancelled at their next
//! await, as tokio does when `#[tokio::main]` returns and drops the runtime: [`run`] reports
//! them in [`Ran::left_running`] and waits until each has dropped its future.
//!
//! The executor also keeps the run's virtual clock (`clock::Clock`): when every task waits and some sleep is
//! pending, that is not a deadlock but time to move, as in tokio's paused time. The clock jumps
//! to the earliest deadline and the tasks due then are woken. A run ends when its main future
//! does, or when it is stuck: every task waits and no sleep is pending, or the next deadline is
//! past the run's horizon ([`run_for`]), which turns a program that only time would end (a loop
//! of sleeps waiting for a signal that never comes) into a report instead of an endless run.

use std::any::Any;
use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::panic::{AssertUnwindSafe, Location, catch_unwind, resume_unwind};
use std::pin::{Pin, pin};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use super::clock::Clock;
mod join_set;
pub use join_set::JoinSet;

// std's, not loom's, on purpose: see the module documentation.
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What to do when a task or a timer is used outside a run.
const OUTSIDE: &str = "under loom, a program runs in `#[tokio::test]` (loom-tokio's `test`), \
    `loom_tokio::model` or `loom_tokio::task::run`";

/// How much virtual time a [`run`] may take: a run whose next deadline is later is
/// [stuck](Ran::stuck) there. The guide's programs take about a second; [`run_for`] sets another
/// horizon. A loop of short sleeps that never ends makes many steps before an hour has passed,
/// each of them branches for loom (whose limit is `LOOM_MAX_BRANCHES`): give such a run a
/// shorter horizon.
pub const HORIZON: Duration = Duration::from_secs(60);

/// How many times one task may be polled in a [`run`]. Every poll but the first follows a
/// wake-up, and the guide's programs wake each task a few dozen times at most; a task polled
/// more often is in a busy loop (a future that wakes itself and never waits, or an executor
/// that polls without being woken). Past this many polls the task panics, and loom reports the
/// model as failed with that message, which names the task. Below loom's own limit of branches
/// (`LOOM_MAX_BRANCHES`, 1,000 by default), which each poll moves towards: it would stop the
/// loop too, without saying where.
pub const POLLS_PER_TASK: u32 = 500;

/// What a run under loom came to.
#[derive(Debug)]
#[must_use = "a run can end stuck or with tasks left running: check it"]
pub struct Ran<T> {
    /// The main future's output; `None` if it never finished (see [`Ran::stuck`]).
    pub output: Option<T>,
    /// Tasks still waiting when the main future finished, each cancelled then (a correct
    /// pattern leaves none): their names, `task N (spawned at FILE:LINE)`. A task in the middle
    /// of a poll then finishes that poll first, as on a runtime that shuts down.
    pub left_running: Vec<String>,
    /// When every task waited and none could ever be woken: each task's name and what it
    /// waited on, main first. `None` when the main future finished.
    pub stuck: Option<Vec<String>>,
    /// The schedule loom chose, as the runtime saw it: each task's waits, wake-ups and end, in
    /// order, and each move of the clock. Failing tests print it: it is the interleaving that
    /// failed.
    pub schedule: Vec<String>,
    /// Virtual time that passed in the run (the clock of [`crate::time`]): for a finished run, when its main
    /// future returned.
    pub elapsed: Duration,
}

impl<T> Ran<T> {
    /// The main future's output, once it finished with no task left behind.
    ///
    /// # Panics
    /// With a message naming the tasks, if the run got stuck or left tasks running.
    #[track_caller]
    pub fn finished(self) -> T {
        if let Some(stuck) = &self.stuck {
            panic!(
                "stuck: every task waits for ever: {}\nschedule: {}",
                stuck.join("; "),
                self.schedule.join(", ")
            );
        }
        if !self.left_running.is_empty() {
            panic!(
                "main returned with tasks still running: {}\nschedule: {}",
                self.left_running.join("; "),
                self.schedule.join(", ")
            );
        }
        match self.output {
            Some(output) => output,
            None => unreachable!("a run that is not stuck has finished"),
        }
    }
}

/// Where a task is, as the executor sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Status {
    /// Being polled, or about to be.
    Running,
    /// Woken since its last poll began: it polls again instead of parking.
    Notified,
    /// Parked, waiting for a waker.
    Idle,
    /// Finished, panicked or cancelled.
    Done,
}

#[derive(Debug)]
struct Task {
    /// `main` or `task N`.
    name: String,
    /// Where it was spawned (`None` for main).
    at: Option<&'static Location<'static>>,
    status: Status,
    /// Set by the task's own thread before it first parks, so a waker can unpark it.
    thread: Option<loom::thread::Thread>,
    /// What the task's last poll waited on.
    waits: Vec<&'static str>,
    /// Whether the run's end cancelled it: its future was still pending then.
    cancelled: bool,
    /// Whether its `JoinHandle::abort` was called before it finished: it is cancelled at its
    /// next wake-up instead of being polled (or before its first poll).
    aborted: bool,
    /// How many tasks had finished before it did, once it has: the order a `JoinSet` hands
    /// them out in.
    finished_as: Option<usize>,
    /// Its output, until its `JoinHandle` takes it.
    output: Option<Result<Box<dyn Any + Send>, JoinError>>,
    /// The task waiting on its `JoinHandle` (a task of the run: only they can await it).
    joiner: Option<usize>,
}

#[derive(Debug, Default)]
struct Sched {
    /// Index 0 is the main future.
    tasks: Vec<Task>,
    shutdown: bool,
    stuck: Option<Vec<String>>,
    threads: Vec<loom::thread::JoinHandle<()>>,
    /// See [`Ran::schedule`].
    schedule: Vec<String>,
    clock: Clock,
    /// See [`run_for`].
    horizon: Duration,
    /// How many spawned tasks have finished.
    finished: usize,
}

impl Task {
    /// The name with where it was spawned, for reports.
    fn described(&self) -> String {
        match self.at {
            Some(at) => format!("{} (spawned at {}:{})", self.name, at.file(), at.line()),
            None => self.name.clone(),
        }
    }
}

impl Sched {
    /// Whether no task can run now or ever be woken: none is running or notified, and the
    /// ones not done are parked (a waker only ever runs on a running task).
    fn everyone_waits(&self) -> bool {
        self.tasks
            .iter()
            .all(|t| matches!(t.status, Status::Idle | Status::Done))
            && self.tasks.iter().any(|t| t.status == Status::Idle)
    }

    /// Stops the run: every parked task is unparked to see `shutdown` and drop its future.
    fn shut_down(&mut self) {
        self.shutdown = true;
        for task in &self.tasks {
            if let Some(thread) = &task.thread {
                thread.unpark();
            }
        }
    }

    /// Wakes task `id`: it polls again instead of parking, or is unparked to.
    fn notify(&mut self, id: usize) {
        let task = &mut self.tasks[id];
        match task.status {
            Status::Idle => {
                task.status = Status::Notified;
                if let Some(thread) = &task.thread {
                    thread.unpark();
                }
                let event = format!("{} woken", task.name);
                self.schedule.push(event);
            }
            Status::Running => task.status = Status::Notified,
            Status::Notified | Status::Done => {}
        }
    }

    /// Every task waits: moves the clock to the earliest deadline and wakes the tasks due then,
    /// or, with no deadline before the horizon, declares the run stuck.
    fn everyone_waits_now(&mut self) {
        match self.clock.next_deadline() {
            Some(deadline) if deadline <= self.horizon => {
                let due = self.clock.advance();
                let event = format!("time moves to {:?}", self.clock.now());
                self.schedule.push(event);
                for task in due {
                    self.notify(task);
                }
            }
            _ => self.get_stuck(),
        }
    }

    fn get_stuck(&mut self) {
        let mut report: Vec<String> = self
            .tasks
            .iter()
            .enumerate()
            .filter(|(_, t)| t.status == Status::Idle)
            .map(|(id, t)| {
                let mut waits: Vec<String> = t.waits.iter().map(|w| w.to_string()).collect();
                for deadline in self.clock.deadlines_of(id) {
                    if let Some(sleep) = waits.iter_mut().find(|w| *w == "sleep") {
                        *sleep = format!("sleep until {deadline:?}");
                    }
                }
                // A sleep left without a deadline was dropped after its poll (a lost
                // `select!` branch): the task no longer waits on it.
                waits.retain(|w| w != "sleep");
                if waits.is_empty() {
                    format!("{} waits", t.described())
                } else {
                    format!("{} waits on {}", t.described(), waits.join(" and "))
                }
            })
            .collect();
        if self.clock.next_deadline().is_some() {
            report.insert(
                0,
                format!(
                    "the next deadline is past the run's horizon of {:?}",
                    self.horizon
                ),
            );
        }
        self.stuck = Some(report);
        self.shut_down();
    }
}

#[derive(Debug)]
struct Runtime {
    sched: Mutex<Sched>,
    /// Counts the aborts. The bookkeeping is invisible to loom, and loom only reorders
    /// operations that touch the same object: each abort increments this, and a task reads it
    /// before it starts and before it polls again ([`Runtime::sees_aborts`]), so that loom
    /// explores an abort on either side of each of those steps (a task aborted right after its
    /// spawn is then found started in some interleavings and not in others). A program without
    /// aborts only reads it, which loom takes for independent of everything else.
    aborts: loom::sync::atomic::AtomicUsize,
}

impl Runtime {
    /// After a pending poll: returns `true` when the task is to poll again (it was woken),
    /// `false` when the run shuts down and the task must drop its future.
    fn wait(&self, id: usize, waits: Vec<&'static str>) -> bool {
        let mut waits = Some(waits);
        self.sees_aborts();
        loop {
            let mut time_moved = false;
            {
                let mut sched = lock(&self.sched);
                if sched.shutdown {
                    return false;
                }
                let task = &mut sched.tasks[id];
                match task.status {
                    // Woken by its abort: cancelled, as tokio drops an aborted task's future
                    // at its next scheduling.
                    Status::Notified if task.aborted => return false,
                    Status::Notified => {
                        task.status = Status::Running;
                        return true;
                    }
                    Status::Running => {
                        task.status = Status::Idle;
                        // Set at the first wait, in this critical section: a waker that finds
                        // the task idle can always unpark it.
                        task.thread.get_or_insert_with(loom::thread::current);
                        task.waits = waits.take().unwrap_or_default();
                        let event = format!("{} waits on {}", task.name, task.waits.join(" and "));
                        sched.schedule.push(event);
                        if sched.everyone_waits() {
                            // Time moves (which may wake this very task), or the run is stuck.
                            sched.everyone_waits_now();
                            if sched.shutdown {
                                return false;
                            }
                            time_moved = true;
                        }
                    }
                    // Unparked by something else (the run's start, or a spurious unpark).
                    Status::Idle | Status::Done => {}
                }
            }
            if time_moved {
                // The tasks due at this instant are all woken: which runs first is loom's
                // choice, and a yield makes it a free one, not a preemption.
                loom::thread::yield_now();
            } else {
                loom::thread::park();
            }
        }
    }

    fn wake(&self, id: usize) {
        lock(&self.sched).notify(id);
    }

    /// Whether a spawned task is to be polled at all: not if it was aborted before it started.
    fn starts(&self, id: usize) -> bool {
        self.sees_aborts();
        !lock(&self.sched).tasks[id].aborted
    }

    /// The loom operation that orders a task's scheduling step against every abort (see
    /// [`Runtime::aborts`]).
    fn sees_aborts(&self) {
        self.aborts.load(loom::sync::atomic::Ordering::SeqCst);
    }

    /// A spawned task is done: its output goes to its `JoinHandle`, whose task is woken in the
    /// same critical section, so that the run is never taken for stuck in between; and if the
    /// task was the last one that could run, the run is stuck.
    fn done<T: Send + 'static>(&self, id: usize, exit: Exit<T>) {
        let (output, how) = match exit {
            Exit::Done(output) => (Ok(Box::new(output) as Box<dyn Any + Send>), "finished"),
            Exit::Panicked(panic) => (Err(JoinError::panicked(id, panic)), "panicked"),
            Exit::Cancelled => (Err(JoinError::cancelled(id)), "cancelled"),
        };
        let mut sched = lock(&self.sched);
        let finished = sched.finished;
        sched.finished += 1;
        let task = &mut sched.tasks[id];
        task.status = Status::Done;
        task.finished_as = Some(finished);
        let how = if task.aborted && how == "cancelled" {
            "aborted"
        } else {
            how
        };
        task.cancelled = how == "cancelled";
        task.output = Some(output);
        let joiner = task.joiner.take();
        let event = format!("{} {how}", task.name);
        sched.schedule.push(event);
        if let Some(joiner) = joiner {
            sched.notify(joiner);
        }
        if !sched.shutdown && sched.everyone_waits() {
            sched.everyone_waits_now();
        }
    }
}

struct TaskWaker {
    runtime: Arc<Runtime>,
    id: usize,
}

impl std::task::Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.runtime.wake(self.id);
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.runtime.wake(self.id);
    }
}

loom::thread_local! {
    /// The runtime and task id of the task running on this loom thread.
    static CURRENT: RefCell<Option<(Arc<Runtime>, usize)>> = RefCell::new(None);
    /// What the current poll of this thread's task waits on.
    static WAITS: RefCell<Vec<&'static str>> = RefCell::new(Vec::new());
}

/// Records that the task polled on this thread waits on `what`, for the report of a stuck run.
pub(crate) fn waiting_on(what: &'static str) {
    WAITS.with(|w| {
        let mut waits = w.borrow_mut();
        // A loop inside one poll (a select! in a loop) registers the same wait again.
        if !waits.contains(&what) {
            waits.push(what);
        }
    });
}

/// The current run and this thread's task in it.
///
/// # Panics
/// Outside a run: `what` (`"sleep"`, `"Instant::now"`) names the call that needs one.
fn current(what: &str) -> (Arc<Runtime>, usize) {
    match CURRENT.with(|c| c.borrow().clone()) {
        Some(current) => current,
        None => panic!("{what} outside a run: {OUTSIDE}"),
    }
}

/// Moves the current run's clock forward by `duration` and wakes every task due by then.
///
/// # Panics
/// Outside a run, or if the clock would overflow.
pub(crate) fn advance_clock(duration: Duration) {
    let (runtime, current) = current("time::advance");
    let mut sched = lock(&runtime.sched);
    let due = sched.clock.advance_by(duration);
    let event = format!(
        "{} advances time to {:?}",
        sched.tasks[current].name,
        sched.clock.now()
    );
    sched.schedule.push(event);
    for task in due {
        sched.notify(task);
    }
}

/// Virtual time elapsed in the current run (see [`Clock`]).
///
/// # Panics
/// Outside a run.
pub(crate) fn now() -> Duration {
    lock(&current("Instant::now").0.sched).clock.now()
}

/// A sleep's registration with the clock of the run it was created in.
#[derive(Debug)]
pub(crate) struct Timer {
    runtime: Arc<Runtime>,
    /// The clock's id for it and the task it wakes, once registered.
    registered: Option<(u64, usize)>,
    deadline: Duration,
}

impl Timer {
    /// A timer of the current run for `deadline` (virtual time since the run's start), not yet
    /// registered: it is when first polled before its deadline.
    ///
    /// # Panics
    /// Outside a run, as tokio's `sleep` outside a runtime.
    pub(crate) fn new(deadline: Duration) -> Self {
        Timer {
            runtime: current("sleep").0,
            registered: None,
            deadline,
        }
    }

    /// The deadline, as virtual time since the run's start.
    pub(crate) fn deadline(&self) -> Duration {
        self.deadline
    }

    /// Moves the deadline; a registered timer then wakes its task at the new one, as tokio's
    /// `Sleep::reset` does.
    pub(crate) fn reset(&mut self, deadline: Duration) {
        self.deadline = deadline;
        if let Some((id, task)) = self.registered {
            lock(&self.runtime.sched)
                .clock
                .register(Some(id), deadline, task);
        }
    }

    /// Whether the deadline has come; if not, registers the timer for the task polling it
    /// now, which the clock wakes at the deadline.
    pub(crate) fn poll_elapsed(&mut self) -> bool {
        let task = current("sleep").1;
        let mut sched = lock(&self.runtime.sched);
        if sched.clock.now() >= self.deadline {
            if let Some((id, _)) = self.registered.take() {
                sched.clock.cancel(id);
            }
            return true;
        }
        let id = sched
            .clock
            .register(self.registered.map(|(id, _)| id), self.deadline, task);
        self.registered = Some((id, task));
        false
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        if let Some((id, _)) = self.registered {
            lock(&self.runtime.sched).clock.cancel(id);
        }
    }
}

enum Exit<T> {
    Done(T),
    Panicked(Box<dyn Any + Send>),
    Cancelled,
}

/// Polls `future` as task `id` until it finishes, panics, or the run shuts down.
fn drive<F: Future>(runtime: &Arc<Runtime>, id: usize, future: F) -> Exit<F::Output> {
    let waker = Waker::from(Arc::new(TaskWaker {
        runtime: runtime.clone(),
        id,
    }));
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    for _ in 0..POLLS_PER_TASK {
        WAITS.with(|w| w.borrow_mut().clear());
        match catch_unwind(AssertUnwindSafe(|| future.as_mut().poll(&mut cx))) {
            Ok(Poll::Ready(output)) => return Exit::Done(output),
            Ok(Poll::Pending) => {}
            Err(panic) => return Exit::Panicked(panic),
        }
        let waits = WAITS.with(|w| std::mem::take(&mut *w.borrow_mut()));
        if !runtime.wait(id, waits) {
            return Exit::Cancelled;
        }
    }
    let name = lock(&runtime.sched).tasks[id].described();
    panic!("{name} was polled {POLLS_PER_TASK} times: a busy loop");
}

/// Runs `main` as the main task of a run under loom (what `#[tokio::main]` is to a program),
/// with every task it spawns; returns once every task has finished or been cancelled. Its
/// clock starts at zero and the run may take up to [`HORIZON`] of virtual time.
///
/// Call it inside `loom::model`. A panic of `main` is resumed once the other tasks are
/// stopped, so loom reports it as the model's failure.
pub fn run<F: Future>(main: F) -> Ran<F::Output> {
    run_for(HORIZON, main)
}

/// [`run`], with `horizon` of virtual time instead of [`HORIZON`]: a run whose next deadline
/// is later than that is stuck there.
pub fn run_for<F: Future>(horizon: Duration, main: F) -> Ran<F::Output> {
    let runtime = Arc::new(Runtime {
        sched: Mutex::new(Sched {
            horizon,
            ..Sched::default()
        }),
        aborts: loom::sync::atomic::AtomicUsize::new(0),
    });
    lock(&runtime.sched).tasks.push(Task {
        name: "main".to_string(),
        at: None,
        status: Status::Running,
        thread: Some(loom::thread::current()),
        waits: Vec::new(),
        cancelled: false,
        aborted: false,
        finished_as: None,
        output: None,
        joiner: None,
    });
    CURRENT.with(|c| *c.borrow_mut() = Some((runtime.clone(), 0)));
    let exit = drive(&runtime, 0, main);

    let (stuck, elapsed) = {
        let mut sched = lock(&runtime.sched);
        let elapsed = sched.clock.now();
        sched.tasks[0].status = Status::Done;
        sched.schedule.push("main returned".to_string());
        if !sched.shutdown {
            sched.shut_down();
        }
        (sched.stuck.take(), elapsed)
    };
    // A task in the middle of a poll finishes that poll, as on a runtime that shuts down;
    // the ones still pending then are cancelled. Joined one by one: a task being cancelled
    // cannot spawn (spawn fails after shutdown).
    loop {
        // Popped in a statement of its own: the lock must not be held across the join.
        let next = lock(&runtime.sched).threads.pop();
        let Some(thread) = next else { break };
        // A task's panic is caught in `drive`, so the join itself cannot fail.
        let _ = thread.join();
    }
    CURRENT.with(|c| *c.borrow_mut() = None);
    let (left_running, schedule) = {
        let mut sched = lock(&runtime.sched);
        let left_running = sched
            .tasks
            .iter()
            .filter(|t| t.cancelled)
            .map(Task::described)
            .collect();
        (left_running, std::mem::take(&mut sched.schedule))
    };

    match exit {
        Exit::Done(output) => Ran {
            output: Some(output),
            left_running,
            stuck: None,
            schedule,
            elapsed,
        },
        Exit::Panicked(panic) => {
            // The panic is the failure loom reports; this is the interleaving that made it.
            eprintln!("the main task panicked; schedule: {}", schedule.join(", "));
            resume_unwind(panic)
        }
        Exit::Cancelled => Ran {
            output: None,
            left_running: Vec::new(),
            stuck,
            schedule,
            elapsed,
        },
    }
}

/// Why a task did not produce its output: tokio's `JoinError`, which prints the same way
/// (`task 2 panicked with message "boom"`), with the task's number in the run as its id.
pub struct JoinError {
    /// The task's number in the run: `task N` of the reports.
    id: usize,
    /// The panic's payload; `None` if the task was cancelled.
    panic: Option<Box<dyn Any + Send>>,
}

impl JoinError {
    fn panicked(id: usize, panic: Box<dyn Any + Send>) -> Self {
        JoinError {
            id,
            panic: Some(panic),
        }
    }

    fn cancelled(id: usize) -> Self {
        JoinError { id, panic: None }
    }

    /// Whether the task panicked.
    pub fn is_panic(&self) -> bool {
        self.panic.is_some()
    }

    /// Whether the task was cancelled: aborted, or stopped by the end of the run.
    pub fn is_cancelled(&self) -> bool {
        self.panic.is_none()
    }

    /// The panic's payload, as tokio's `JoinError::into_panic`.
    ///
    /// # Panics
    /// If the task was cancelled instead.
    pub fn into_panic(self) -> Box<dyn Any + Send> {
        match self.panic {
            Some(panic) => panic,
            None => panic!("`JoinError::into_panic` on a cancelled task"),
        }
    }

    /// The panic's message, when its payload is a string (as `panic!` makes it).
    fn message(&self) -> Option<&str> {
        let panic = self.panic.as_ref()?;
        panic
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| panic.downcast_ref::<&str>().copied())
    }
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let id = self.id;
        match (&self.panic, self.message()) {
            (None, _) => write!(f, "task {id} was cancelled"),
            (Some(_), Some(message)) => write!(f, "task {id} panicked with message {message:?}"),
            (Some(_), None) => write!(f, "task {id} panicked"),
        }
    }
}

impl fmt::Debug for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let id = self.id;
        match (&self.panic, self.message()) {
            (None, _) => write!(f, "JoinError::Cancelled(Id({id}))"),
            (Some(_), Some(message)) => write!(f, "JoinError::Panic(Id({id}), {message:?}, ...)"),
            (Some(_), None) => write!(f, "JoinError::Panic(Id({id}), ...)"),
        }
    }
}

impl std::error::Error for JoinError {}

/// A spawned task's handle: awaiting it gives the task's output, or a [`JoinError`] if it
/// panicked or was cancelled. Dropping it detaches the task, as in tokio.
#[derive(Debug)]
pub struct JoinHandle<T> {
    runtime: Arc<Runtime>,
    id: usize,
    output: std::marker::PhantomData<fn() -> T>,
}

impl<T> JoinHandle<T> {
    /// Cancels the task, as tokio's `JoinHandle::abort`: unless it finishes first, its future
    /// is dropped instead of being polled again (or at all, if it has not started), and
    /// awaiting the handle gives a cancelled [`JoinError`]. A task in the middle of a poll
    /// finishes that poll first.
    pub fn abort(&self) {
        self.runtime
            .aborts
            .fetch_add(1, loom::sync::atomic::Ordering::SeqCst);
        let mut sched = lock(&self.runtime.sched);
        if sched.tasks[self.id].status != Status::Done {
            sched.tasks[self.id].aborted = true;
            let event = format!("abort of task {}", self.id);
            sched.schedule.push(event);
            sched.notify(self.id);
        }
    }

    /// Whether the task has finished: completed, panicked or been cancelled.
    pub fn is_finished(&self) -> bool {
        lock(&self.runtime.sched).tasks[self.id].status == Status::Done
    }

    /// How many spawned tasks of the run had finished before this one did, once it has.
    pub(crate) fn finished_as(&self) -> Option<usize> {
        lock(&self.runtime.sched).tasks[self.id].finished_as
    }
}

impl<T: 'static> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut sched = lock(&self.runtime.sched);
        let task = &mut sched.tasks[self.id];
        match task.output.take() {
            Some(Ok(output)) => match output.downcast::<T>() {
                Ok(output) => Poll::Ready(Ok(*output)),
                Err(_) => unreachable!("a task's output has its future's type"),
            },
            Some(Err(e)) => Poll::Ready(Err(e)),
            None => {
                let Some(current) = CURRENT.with(|c| c.borrow().as_ref().map(|(_, id)| *id)) else {
                    panic!("a JoinHandle awaited outside the run's tasks");
                };
                let _ = cx;
                task.joiner = Some(current);
                drop(sched);
                waiting_on("JoinHandle");
                Poll::Pending
            }
        }
    }
}

/// Spawns `future` as a new task, on a loom thread of its own; must be called from a task of
/// a [`run`].
///
/// # Panics
/// Outside a run, or past loom's thread limit (`loom::MAX_THREADS` threads in a model, the
/// main one included).
#[track_caller]
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let at = Location::caller();
    let Some((runtime, current)) = CURRENT.with(|c| c.borrow().clone()) else {
        panic!("spawn at {at} outside a run: {OUTSIDE}");
    };
    // One critical section: the new thread cannot look at its entry before it exists.
    let mut sched = lock(&runtime.sched);
    let id = sched.tasks.len();
    let handle = JoinHandle {
        runtime: runtime.clone(),
        id,
        output: std::marker::PhantomData,
    };
    let shutdown = sched.shutdown;
    assert!(
        id < loom::MAX_THREADS,
        "spawn at {at}: a run under loom has at most {} tasks besides main (each task is a loom \
         thread, and loom has {} threads)",
        loom::MAX_THREADS - 1,
        loom::MAX_THREADS
    );
    let spawner = sched.tasks[current].name.clone();
    sched.schedule.push(format!("{spawner} spawns task {id}"));
    sched.tasks.push(Task {
        name: format!("task {id}"),
        at: Some(at),
        status: Status::Running,
        thread: None,
        waits: Vec::new(),
        cancelled: false,
        aborted: false,
        finished_as: None,
        output: None,
        joiner: None,
    });
    if shutdown {
        // The run is ending: the task is cancelled before it starts.
        sched.tasks[id].status = Status::Done;
        sched.tasks[id].cancelled = true;
        sched.tasks[id].output = Some(Err(JoinError::cancelled(id)));
        return handle;
    }
    let task_runtime = runtime.clone();
    let thread = loom::thread::spawn(move || {
        CURRENT.with(|c| *c.borrow_mut() = Some((task_runtime.clone(), id)));
        let exit = if task_runtime.starts(id) {
            drive(&task_runtime, id, future)
        } else {
            // Dropped before the task is done, as `drive` drops a cancelled one: what it owns
            // (a sender another task waits on) goes while the run can still see it go.
            drop(future);
            Exit::Cancelled
        };
        task_runtime.done(id, exit);
        CURRENT.with(|c| *c.borrow_mut() = None);
    });
    sched.threads.push(thread);
    handle
}

/// Gives way to the other tasks once, as tokio's `yield_now`: the task stays runnable (so the
/// clock does not move), but any other task may run before it goes on.
pub async fn yield_now() {
    let mut yielded = false;
    std::future::poll_fn(|cx| {
        if yielded {
            return Poll::Ready(());
        }
        yielded = true;
        loom::thread::yield_now();
        cx.waker().wake_by_ref();
        Poll::Pending
    })
    .await;
}
